package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Managed Kafka, as Confluent Cloud or MSK run it: the embedded broker on a SASL_SSL listener (SCRAM-SHA-512, its own CA),
 * and the packaged service configured with documented settings only, as KAFKA_* variables taken from the
 * client.properties the broker wrote. Images in, predictions out exactly once, the statistics' Kafka Streams included.
 */
class SaslSslIT {

    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    @Test
    void theServiceTrainsThroughASaslSslListenerWithDocumentedSettingsOnly() throws Exception {
        Path dir = Files.createTempDirectory("mlp-sasl-ssl-it");
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0, 0, EmbeddedKafka.Security.SASL_SSL).start()) {
            Path client = dir.resolve("kafka").resolve("client");
            for (String f : List.of("ca.pem", "client.properties", "librdkafka.conf")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(client.resolve(f))), f);
            }
            Properties settings = new Properties();
            try (var in = Files.newInputStream(client.resolve("client.properties"))) {
                settings.load(in);
            }
            assertEquals("SASL_SSL", settings.getProperty("security.protocol"));
            Map<String, String> env = new HashMap<>();
            settings.forEach((k, v) -> env.put("KAFKA_" + k.toString().toUpperCase().replace('.', '_'), v.toString()));

            ServiceProcess svc = new ServiceProcess(settings.getProperty("bootstrap.servers"), dir);
            svc.start(env);
            svc.awaitReadiness(200, 120);
            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            Produce.send(settings, "images", images, labels, 300, 0, "tls-", false);

            Set<String> ids = new HashSet<>();
            int read = 0;
            Properties c = new Properties();
            c.putAll(settings);
            c.put("isolation.level", "read_committed");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> parts = consumer.partitionsFor("predictions", Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition("predictions", p.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (System.nanoTime() < deadline && (ids.size() < 300 || read < 300)) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        read++;
                        ids.add(r.key());
                    }
                }
                for (int i = 0; i < 4; i++) for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) read++;
            }
            assertEquals(300, ids.size(), "every image predicted");
            assertEquals(300, read, "each once");
            svc.awaitMetric("mlp_examples_trained", 300, 30);
            assertEquals(300, svc.model().get("examplesTrained").asLong());
            long total = 0;
            for (int i = 0; i < 60 && (total = svc.get("/api/stats/confusion").get("total").asLong()) < 300; i++) Thread.sleep(500);
            assertEquals(300, total, "the statistics' Kafka Streams read the predictions through SASL_SSL too");
        }
    }

    /** Wrong credentials are not fixed by a restart: up, live, not ready, and said plainly, without a stack trace per retry. */
    @Test
    void wrongCredentialsLeaveItUpNotReadyAndSayWhy() throws Exception {
        Path dir = Files.createTempDirectory("mlp-sasl-wrong-it");
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0, 0, EmbeddedKafka.Security.SASL_SSL).start()) {
            Properties settings = new Properties();
            try (var in = Files.newInputStream(dir.resolve("kafka").resolve("client").resolve("client.properties"))) {
                settings.load(in);
            }
            Map<String, String> env = new HashMap<>();
            settings.forEach((k, v) -> env.put("KAFKA_" + k.toString().toUpperCase().replace('.', '_'), v.toString()));
            env.put("KAFKA_SASL_JAAS_CONFIG", env.get("KAFKA_SASL_JAAS_CONFIG").replaceAll("password=\"[^\"]*\"", "password=\"wrong\""));
            ServiceProcess svc = new ServiceProcess(settings.getProperty("bootstrap.servers"), dir);
            Process service = svc.start(env);
            svc.awaitReadiness(503, 60);
            Thread.sleep(25_000); // a few retries
            assertTrue(service.isAlive(), "the process stays up");
            svc.awaitReadiness(503, 1);
            String log = Files.readString(svc.log());
            long said = log.lines().filter(l -> l.contains("SASL authentication to Kafka at")).count();
            assertTrue(said >= 1 && said <= 2, "said plainly, once in a while: " + said);
            assertEquals(0, log.lines().filter(l -> l.startsWith("\tat ")).count(), "no stack trace");
        }
    }
}
