package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Labels that come later survive a SIGKILL: the packaged service is killed twice while unlabeled images stream in
 * and their labels follow 300 behind, on two partitions each. Images waiting for their labels, and labels waiting for
 * their images, come back from the changelog; a model restored from an older snapshot learns again, once, the matches
 * it had not learned. In the end every image whose label arrived was trained on exactly once.
 */
class LateLabelsRestartIT {

    /** A failed assertion must not leave a child service running, retrying against a stopped broker. */
    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    private static final int IMAGES = 2000;
    private static final int BEHIND = 300;
    private static EmbeddedKafka broker;
    private static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("mlp-late-labels-it");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("images", 2, (short) 1), new NewTopic("labels", 2, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void killedWithImagesAndLabelsInFlightItLearnsEveryMatchOnce() throws Exception {
        ServiceProcess svc = new ServiceProcess(broker.bootstrapServers(), dir);
        Map<String, String> env = Map.of("MLP_CHECKPOINTS_EVERY_STEPS", "25", "MLP_CHECKPOINTS_EVERY", "2s", "MLP_TOPICS_PARTITIONS", "2");
        Process service = svc.start(env);
        svc.awaitReadiness(200, 60);
        AtomicInteger sent = new AtomicInteger();
        Thread producer = new Thread(() -> produce(sent));
        producer.start();
        try {
            for (int kill = 0; kill < 2; kill++) {
                Thread.sleep(3500);
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no final checkpoint, an open transaction
                System.out.printf("kill %d after %d images sent%n", kill + 1, sent.get());
                service = svc.start(env);
                svc.awaitReadiness(200, 60);
                double waiting = svc.metric("mlp_labels_pending_images");
                System.out.printf("restart %d: %.0f images waiting for their labels, from the changelog%n", kill + 1, waiting);
                assertTrue(waiting > 0, "the images waiting at the kill wait again after the restart");
            }
            producer.join();
            svc.awaitMetric("mlp_examples_trained", IMAGES, 120);
            Thread.sleep(2000); // anything learned twice would show now
            assertEquals(IMAGES, (long) svc.metric("mlp_examples_trained"), "every image whose label arrived, trained once");
            assertEquals(0, (long) svc.metric("mlp_labels_pending_images"));

            Map<String, Integer> predicted = new HashMap<>(), labeled = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : readAll("predictions")) {
                predicted.merge(r.key(), 1, Integer::sum);
                if (!Json.mapper().readTree(r.value()).get("label").isNull()) labeled.merge(r.key(), 1, Integer::sum); // its label came first
            }
            for (ConsumerRecord<String, byte[]> r : readAll("mlp-stream-late-examples")) labeled.merge(r.key(), 1, Integer::sum);
            assertEquals(IMAGES, predicted.size(), "every image predicted");
            assertTrue(predicted.values().stream().allMatch(n -> n == 1), "and once");
            assertEquals(IMAGES, labeled.size(), "every label matched");
            assertTrue(labeled.values().stream().allMatch(n -> n == 1), "once: published as a late example, or on arrival");
            List<String> dead = readAll("labels-dlq").stream().map(r -> r.key() + ": " + TestKafka.header(r, "dlq-reason")).toList();
            assertEquals(List.of(), dead, "no label lost");
            JsonNode stats = svc.get("/api/stats/confusion");
            for (int i = 0; i < 60 && stats.path("total").asLong() < IMAGES; i++) {
                Thread.sleep(500);
                stats = svc.get("/api/stats/confusion");
            }
            assertEquals(IMAGES, stats.path("total").asLong(), "the statistics score each image once");
        } finally {
            producer.join(60_000);
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Unlabeled images, each label 300 images later, at about 100 images a second: still producing across both kills. */
    private static void produce(AtomicInteger sent) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            for (int i = 0; i < IMAGES + BEHIND; i++) {
                if (i < IMAGES) {
                    String id = "img-" + i;
                    producer.send(new ProducerRecord<>("images", id, ImageEvents.toJson(id, null, 28, 28, images.pixels(), i * 784)));
                    sent.incrementAndGet();
                }
                if (i >= BEHIND) {
                    String id = "img-" + (i - BEHIND);
                    producer.send(new ProducerRecord<>("labels", id, ("{\"id\": \"" + id + "\", \"label\": "
                            + (labels[i - BEHIND] & 0xFF) + "}").getBytes(StandardCharsets.UTF_8)));
                }
                if (i % 5 == 0) Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return TopicReader.readAll(broker.bootstrapServers(), topic);
    }
}
