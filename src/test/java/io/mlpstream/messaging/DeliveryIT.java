package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.nn.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Delivery across instances and partitions, with the packaged service as child JVMs on a real broker. */
class DeliveryIT {

    /** A failed assertion must not leave a child service running, retrying against a stopped broker. */
    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    private static EmbeddedKafka broker;
    private static Path dir;
    private static IdxReader.Images images;
    private static byte[] labels;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("mlp-delivery-it");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /**
     * A second instance training the same model joins the group: it takes the model's transactional id,
     * so the first is fenced at its next commit and stops, saying why. Nothing is published twice and
     * nothing is lost: the second publishes what the first could not commit.
     */
    @Test
    void aSecondInstanceOfTheSameModelFencesTheFirstAndEachPredictionIsPublishedOnce() throws Exception {
        Map<String, String> env = env("fence", 2);
        Files.createDirectories(dir.resolve("fence-1"));
        Files.createDirectories(dir.resolve("fence-2"));
        ServiceProcess first = new ServiceProcess(broker.bootstrapServers(), dir.resolve("fence-1"));
        Process one = first.start(with(env, "MLP_DATA_DIR", dir.resolve("fence-1").toString()));
        ServiceProcess second = new ServiceProcess(broker.bootstrapServers(), dir.resolve("fence-2"));
        Process two = null;
        try {
            first.awaitReadiness(200, 60);
            Produce.send(broker.bootstrapServers(), "images-fence", images, labels, 200, 0, "fence-a-", false);
            first.awaitMetric("mlp_examples_trained", 200, 60);

            two = second.start(with(env, "MLP_DATA_DIR", dir.resolve("fence-2").toString()));
            second.awaitReadiness(200, 90);
            Produce.send(broker.bootstrapServers(), "images-fence", images, labels, 300, 0, "fence-b-", false);
            assertTrue(one.waitFor(90, TimeUnit.SECONDS), "the fenced instance stops");
            assertEquals(3, one.exitValue(), "with the status that says it was fenced");
            assertTrue(Files.readString(first.log()).contains("Another instance took over transactional id mlp-stream-fence-model"));

            Map<String, Integer> counts = awaitPredictions("fence-", 500, 90);
            assertEquals(500, counts.size(), "every record has a prediction");
            assertEquals(0, counts.values().stream().mapToInt(c -> c - 1).sum(), "none published twice: " + counts);
        } finally {
            one.destroyForcibly();
            if (two != null) {
                two.destroy();
                two.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A snapshot that does not name a partition of the input topic (here: rewritten without it) resumes
     * that partition from its start, not from the group's committed offset: the restored model learns what
     * it never learned, and publishes none of it again.
     */
    @Test
    void aPartitionTheSnapshotDoesNotNameIsLearnedFromItsStartAndNotPublishedAgain() throws Exception {
        Map<String, String> env = env("parts", 2);
        Files.createDirectories(dir.resolve("parts"));
        ServiceProcess svc = new ServiceProcess(broker.bootstrapServers(), dir.resolve("parts"));
        Process service = svc.start(env);
        svc.awaitReadiness(200, 60);
        Produce.send(broker.bootstrapServers(), "images-parts", images, labels, 300, 0, "parts-", false);
        svc.awaitMetric("mlp_examples_trained", 300, 60);
        service.destroy(); // a last snapshot, naming both partitions
        assertTrue(service.waitFor(60, TimeUnit.SECONDS));

        CheckpointCodec.Stored stored = CheckpointCodec.decode(newestCheckpoint("parts-model"), Kernels.best());
        long second = stored.offsets().get("images-parts-1");
        assertEquals(300, stored.offsets().get("images-parts-0") + second, "both partitions in the snapshot");
        assertTrue(second > 0 && second < 300, "the ids spread over both partitions");
        writeCheckpoint("parts-model", CheckpointCodec.encode(stored.checkpoint(), Map.of("images-parts-0", 300 - second)));

        service = svc.start(env);
        try {
            svc.awaitReadiness(200, 60);
            svc.awaitMetric("mlp_examples_trained", 300 + second, 60);
            Thread.sleep(2000);
            assertEquals(300 + second, (long) svc.metric("mlp_examples_trained"), "partition 1 learned again from offset 0");
            Map<String, Integer> counts = awaitPredictions("parts-", 300, 30);
            assertEquals(300, counts.size());
            assertEquals(0, counts.values().stream().mapToInt(c -> c - 1).sum(), "the replay publishes nothing");
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A model, topic (with {@code partitions}), group and data directory of the test's own. */
    private static Map<String, String> env(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("images-" + name, partitions, (short) 1))).all().get();
        }
        return Map.of("MLP_MODEL_NAME", name + "-model", "MLP_TOPICS_IMAGES", "images-" + name,
                "MP_MESSAGING_INCOMING_IMAGES_GROUP_ID", name + "-group", "MLP_DATA_DIR", dir.resolve(name).toString(),
                "MLP_CHECKPOINTS_EVERY_STEPS", "100000", "MLP_CHECKPOINTS_EVERY", "1h");
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

    /** Predictions per id with the prefix, read_committed, once {@code expected} ids have one (or the time is up). */
    private static Map<String, Integer> awaitPredictions(String prefix, int expected, int seconds) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < seconds; i++) {
            counts = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : readAll("predictions")) {
                if (r.key() != null && r.key().startsWith(prefix)) counts.merge(r.key(), 1, Integer::sum);
            }
            if (counts.size() >= expected) break;
            Thread.sleep(1000);
        }
        Thread.sleep(1000);
        return counts;
    }

    private static byte[] newestCheckpoint(String model) {
        byte[] newest = null;
        for (ConsumerRecord<String, byte[]> r : readAll("model-checkpoints")) if (model.equals(r.key())) newest = r.value();
        return newest;
    }

    private static void writeCheckpoint(String model, byte[] bytes) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("max.request.size", 32 << 20);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("model-checkpoints", model, bytes)).get();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("max.partition.fetch.bytes", 64 << 20);
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new java.util.ArrayList<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) out.add(r);
            }
            return out;
        }
    }
}
