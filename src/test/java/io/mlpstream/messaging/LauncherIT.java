package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packaged launcher as a user runs it: what it refuses, and what it takes as unset. */
class LauncherIT {

    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    /** Compose files and shells often leave a variable set but empty: that is no broker, so the embedded one starts. */
    @Test
    void anEmptyKafkaBootstrapServersMeansTheEmbeddedBroker() throws Exception {
        Path dir = Files.createTempDirectory("mlp-launcher-it");
        int kafkaPort;
        try (ServerSocket s = new ServerSocket(0)) {
            kafkaPort = s.getLocalPort();
        }
        ServiceProcess svc = new ServiceProcess("", dir);
        svc.start(Map.of("MLP_EMBEDDED_KAFKA_PORT", String.valueOf(kafkaPort)));
        svc.awaitReadiness(200, 120);
        assertTrue(Files.isDirectory(dir.resolve("service").resolve("kafka")), "the embedded broker's data directory");
    }

    /** An option a command does not know is refused by name, pointing to --help, before anything runs. */
    @Test
    void everyCommandRefusesAnOptionItDoesNotKnow() throws Exception {
        for (String command : List.of("bench", "bench-kafka", "produce", "tail", "export", "serve", "demo")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString(),
                    command, "--no-such-option", "3").redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " ends at once");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), command + ": " + out);
            assertTrue(out.contains("unknown option --no-such-option (try --help)"), command + ": " + out);
        }
    }
}
