package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away for 90 s mid-stream, with records in flight, and comes back: the service reports
 * DOWN on readiness while it is gone, keeps its model, retries its open transaction, and resumes by
 * itself, without a restart, losing nothing and publishing nothing twice.
 */
class BrokerOutageIT {

    /** A failed assertion must not leave a child service running, retrying against a stopped broker. */
    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    @Test
    void readinessGoesDownAndNothingIsLost() throws Exception {
        Path dir = Files.createTempDirectory("mlp-outage-it");
        EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        ServiceProcess svc = new ServiceProcess(broker.bootstrapServers(), dir);
        Process service = svc.start(Map.of());
        try {
            svc.awaitReadiness(200, 60);
            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            send(broker.bootstrapServers(), images, labels, 0, 500);
            svc.awaitMetric("mlp_examples_trained", 500, 60);
            double stepBefore = svc.metric("mlp_model_step");
            send(broker.bootstrapServers(), images, labels, 500, 2500);
            long outageStart = System.nanoTime();
            broker.close(); // while the service is still predicting and committing these
            svc.awaitReadiness(503, 60);
            System.out.println("readiness DOWN while the broker is gone");
            Thread.sleep(Math.max(0, 90_000 - (System.nanoTime() - outageStart) / 1_000_000)); // a 90 s outage

            broker = new EmbeddedKafka(dir.resolve("kafka"), broker.port(), broker.controllerPort()).start();
            svc.awaitReadiness(200, 120);
            send(broker.bootstrapServers(), images, labels, 2500, 3000);
            svc.awaitMetric("mlp_examples_trained", 3000, 120);
            Thread.sleep(2000);
            assertEquals(3000, (long) svc.metric("mlp_examples_trained"), "every example trained once, none lost");
            assertTrue(svc.metric("mlp_model_step") > stepBefore);
            Map<String, Integer> predicted = predictedIds(broker.bootstrapServers());
            assertEquals(3000, predicted.size(), "every record predicted");
            assertEquals(0, predicted.values().stream().mapToInt(c -> c - 1).sum(), "none twice (read_committed)");
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
            broker.close();
        }
    }

    private static void send(String bootstrap, IdxReader.Images images, byte[] labels, int from, int to) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                String id = "outage-" + i;
                producer.send(new ProducerRecord<>("images", id, ImageEvents.toJson(id, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784)));
            }
            producer.flush();
        }
    }

    private Map<String, Integer> predictedIds(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        Map<String, Integer> ids = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("predictions", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) ids.merge(r.key(), 1, Integer::sum);
            }
        }
        return ids;
    }
}
