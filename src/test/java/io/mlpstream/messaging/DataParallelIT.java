package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.Json;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.learn.UpdateCodec;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel mode through a real broker: two trainer instances (child JVMs), one of two shards and one of one,
 * share four input partitions and learn one model; one is killed -9 mid-stream, its partitions move to the other, and
 * it comes back under the same instance id. Every labeled example is in exactly one version, every prediction is published once, and the group's accuracy is
 * close to one trainer's on the same examples.
 */
class DataParallelIT {
    /**
     * Two bursts of the same 6,000 digits. Two shards on 2,000 sat 0.07-0.09 below one trainer's accuracy (0.7695-0.7845
     * against 0.8563 in four runs: early on, shards averaging learn slower), on 4,000 0.04-0.05 below; three shards on
     * 4,000 were 0.071 and 0.082 below (0.8178 and 0.8073 against 0.8888), near the bar, hence 6,000 (0.065 below:
     * 0.8408 against 0.9058).
     */
    private static final int EVENTS = 12_000;
    private static EmbeddedKafka broker;
    private static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("mlp-data-parallel-it");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    @Test
    void twoInstancesLearnOneModelExactlyOnceAcrossAKillAndARebalance() throws Exception {
        ServiceProcess a = new ServiceProcess(broker.bootstrapServers(), dir.resolve("a"));
        ServiceProcess b = new ServiceProcess(broker.bootstrapServers(), dir.resolve("b"));
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        a.start(env("a"));
        a.awaitReadiness(200, 120);
        Process killed = b.start(env("b"));
        b.awaitReadiness(200, 120);

        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Produce.send(broker.bootstrapServers(), "images", images, labels, EVENTS / 2, 0, "dp-a-", false);
        Thread.sleep(3000); // both learn, sync and commit
        killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: b's open transaction and its update are lost
        Produce.send(broker.bootstrapServers(), "images", images, labels, EVENTS / 2, 0, "dp-b-", false); // the same digits again
        Thread.sleep(15_000); // the session times out: a takes b's partitions from their committed offsets
        b.start(env("b")); // the same instance id: its predecessor's transaction is aborted at once
        b.awaitReadiness(200, 120);

        ModelVersion newest = null;
        for (int i = 0; i < 240 && (newest == null || newest.examples() < EVENTS); i++) {
            Thread.sleep(500);
            newest = newestVersion();
        }
        Thread.sleep(4000); // anything learned twice would be folded in by now
        newest = newestVersion();
        System.out.printf("newest version %d holds %d examples%n", newest.number(), newest.examples());
        assertEquals(EVENTS, newest.examples(), "every labeled example is in exactly one version");
        assertTrue(newest.number() >= 4, "several versions, from both instances' updates: " + newest.number());
        assertEquals(Set.of("a-0", "a-1", "b-0"), updatingShards(), "a's two shards and b's one sent updates");

        Map<String, int[]> predictions = predictions(); // id -> {count, correct}
        long duplicates = predictions.values().stream().mapToInt(c -> c[0] - 1).sum();
        assertEquals(EVENTS, predictions.size(), "every input record has a prediction");
        assertEquals(0, duplicates, "a read_committed consumer sees each prediction once");
        double accuracy = predictions.values().stream().mapToInt(c -> c[1]).sum() / (double) EVENTS;
        double single = oneTrainersAccuracy(images, labels);
        System.out.printf("prequential accuracy: three shards %.4f, one trainer in memory %.4f%n", accuracy, single);
        // three shards, each seeing a third of the stream early on (see EVENTS); the longer streams of bench-kafka are
        // where issue 26's 0.03 is measured
        assertTrue(accuracy > single - 0.10, "the group learns about as well as one trainer: " + accuracy + " vs " + single);

        JsonNode model = a.model();
        assertTrue(model.path("examplesTrained").asLong() > 0, "instance a trained: " + model);
    }

    /** Instance a runs two shards (mlp.training.shards), b one: three trainers of one model. */
    private Map<String, String> env(String instance) {
        return Map.of("MLP_TRAINING_MODE", "data-parallel", "MLP_TRAINING_INSTANCE_ID", instance,
                "MLP_TOPICS_PARTITIONS", "4", "MLP_TRAINING_SHARDS", instance.equals("a") ? "2" : "1");
    }

    /** The shards whose updates were committed on model-updates, by name. */
    private static Set<String> updatingShards() {
        Set<String> shards = new TreeSet<>();
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition("model-updates", 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long end = c.endOffsets(parts).get(parts.get(0));
            while (c.position(parts.get(0)) < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) shards.add(UpdateCodec.decode(r.value()).shard());
            }
        }
        return shards;
    }

    /** The newest version on the models topic (read_committed). */
    private static ModelVersion newestVersion() {
        Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers()));
        Map<String, ModelVersion> versions = VersionRecords.newest(props, "models", List.of("mnist-mlp"), "model-updates-0").versions();
        return versions.getOrDefault("mnist-mlp", new ModelVersion(0, List.of(), 0));
    }

    private static Map<String, int[]> predictions() throws Exception {
        Map<String, int[]> seen = new HashMap<>();
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor("predictions").stream().map(p -> new TopicPartition("predictions", p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode p = Json.mapper().readTree(r.value());
                    int[] counts = seen.computeIfAbsent(p.path("id").asText(), k -> new int[2]);
                    counts[0]++;
                    if (p.path("correct").asBoolean()) counts[1]++;
                }
            }
        }
        return seen;
    }

    /** One trainer's prequential accuracy on the same examples in memory, with the service's defaults. */
    private static double oneTrainersAccuracy(IdxReader.Images images, byte[] labels) {
        OnlineTrainer t = new OnlineTrainer(Learner.create(ModelConfig.DEFAULT.withInputSize(images.size()), OptimizerConfig.DEFAULT,
                Kernels.best()), TrainerConfig.DEFAULT.withIdleFlush(Duration.ZERO));
        Examples chunk = new Examples(1, images.size());
        for (int i = 0; i < EVENTS; i++) {
            chunk.clear();
            int e = i % (EVENTS / 2); // as sent: the first half twice
            chunk.add(images.pixels(), e * images.size(), labels[e] & 0xFF);
            t.process(chunk, TrainingListener.NONE);
        }
        return t.accuracy().cumulative();
    }
}
