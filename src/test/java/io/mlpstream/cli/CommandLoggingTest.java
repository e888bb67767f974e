package io.mlpstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A command that runs without the service (bench-stats, bench-kafka's broker) had Kafka's trace messages formatted for
 * every record: Quarkus' log manager lets every level through until the service configures it. Checked in a fresh JVM
 * with that log manager, as ./mlp-stream runs a command: Kafka's trace is on before {@link CommandLogging}, off after.
 */
class CommandLoggingTest {

    /** The child JVM: prints whether Kafka Streams' task logger would format a trace message, before and after. */
    public static void main(String[] args) {
        var log = LoggerFactory.getLogger("org.apache.kafka.streams.processor.internals.StreamTask");
        boolean before = log.isTraceEnabled();
        CommandLogging.configure();
        System.out.println("before=" + before + " after=" + log.isTraceEnabled()
                + " info=" + LoggerFactory.getLogger("io.mlpstream.cli.Main").isInfoEnabled());
    }

    @Test
    void kafkasTraceIsOffInACommandAndInfoStaysOn() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), CommandLoggingTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals("before=true after=false info=true", out.lines().reduce((a, b) -> b).orElse(out).trim(), out);
    }
}
