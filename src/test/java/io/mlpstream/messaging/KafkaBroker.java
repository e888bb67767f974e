package io.mlpstream.messaging;

import io.mlpstream.broker.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka for the integration tests: the embedded single-node KRaft broker by default, or
 * Testcontainers' Kafka with -Pcontainers (which needs a Docker engine, and says so when there is none).
 * Every start gets a fresh data directory.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {
    private EmbeddedKafka embedded;
    private KafkaContainer container;

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("mlp-stream-test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String bootstrap;
        if ("containers".equals(System.getProperty("mlpstream.test.kafka"))) {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                throw new IllegalStateException("-Pcontainers runs the integration tests on Testcontainers' Kafka, "
                        + "which needs a Docker engine, and none is reachable here. Run without -Pcontainers to use "
                        + "the embedded broker.");
            }
            container = new KafkaContainer("apache/kafka:4.1.2");
            container.start();
            bootstrap = container.getBootstrapServers();
        } else {
            embedded = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
            bootstrap = embedded.bootstrapServers();
        }
        return Map.of("kafka.bootstrap.servers", bootstrap, "mlp.data-dir", dir.toString());
    }

    @Override
    public void stop() {
        if (container != null) container.stop();
        if (embedded != null) embedded.close();
    }
}
