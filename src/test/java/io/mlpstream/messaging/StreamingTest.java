package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Metrics;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import io.mlpstream.service.Models;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service end to end, against a real broker: images in; predictions, metrics and dead letters out. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class StreamingTest {
    private static IdxReader.Images images;
    private static byte[] labels;

    @Inject
    Models training;

    @BeforeAll
    static void load() throws Exception {
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
    }

    @Test
    void everyLabeledEventIsPredictedOnceAndTrainedOn() throws Exception {
        long trainedBefore = training.serving().trainer().examplesTrained();
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) batch.add(digit("labeled-" + i, i, true));
        TestKafka.send("images", batch);

        Map<String, Integer> counts = predictionsFor("labeled-", 200);
        assertEquals(200, counts.size(), "one prediction per event");
        assertTrue(counts.values().stream().allMatch(c -> c == 1), "no event predicted twice: " + counts);
        awaitTrained(trainedBefore + 200);
    }

    /**
     * One labeled event, then unlabeled traffic every 200 ms for 6 s: the labeled one is trained within
     * the idle flush (the unlabeled ones must not keep resetting its clock), and every event is predicted.
     * (With SmallRye's throttled commits, which waited for training, this stalled the consumer for good.)
     */
    @Test
    void mostlyUnlabeledTrafficNeverStallsTheConsumer() throws Exception {
        awaitIdle();
        long trainedBefore = training.serving().trainer().examplesTrained();
        TestKafka.send("images", List.of(digit("sparse-labeled", 0, true)));
        for (int i = 0; i < 30; i++) {
            TestKafka.send("images", List.of(digit("sparse-unlabeled-" + i, i, false)));
            Thread.sleep(200);
        }
        TestKafka.send("images", List.of(digit("sparse-after", 1, true)));
        Map<String, Integer> counts = predictionsFor("sparse-", 32);
        assertEquals(32, counts.size(), "every event predicted, the last one too: " + counts.keySet());
        awaitTrained(trainedBefore + 2);
    }

    /**
     * A dead-letter topic whose limit is smaller than the input's (here 512 KiB, against 16 MiB): a 2 MiB
     * record cannot be dead-lettered whole, so it goes to the DLQ truncated, saying so, in the same
     * transaction as the outputs around it, and the stream goes on. (Random bytes: compression cannot help.)
     */
    @Test
    void aDeadLetterTooLargeForItsTopicGoesTruncatedAndTheStreamGoesOn() throws Exception {
        byte[] huge = new byte[2 << 20];
        new java.util.Random(7).nextBytes(huge);
        dlqLimit("524288");
        try {
            TestKafka.send("images", List.of(new ProducerRecord<>("images", "edge-huge", huge)));
            TestKafka.send("images", List.of(digit("edge-after", 3, true)));
            List<ConsumerRecord<String, byte[]>> dlq = TestKafka.readUntil("images-dlq", Duration.ofSeconds(30),
                    r -> r.stream().anyMatch(x -> "edge-huge".equals(x.key())));
            ConsumerRecord<String, byte[]> letter = dlq.stream().filter(x -> "edge-huge".equals(x.key())).findFirst().orElseThrow();
            assertEquals("too-large", TestKafka.header(letter, "dlq-reason"));
            assertEquals(String.valueOf(huge.length), TestKafka.header(letter, "dlq-original-bytes"));
            assertArrayEquals(Arrays.copyOf(huge, letter.value().length), letter.value(), "the first bytes, truncated");
            assertTrue(letter.value().length < huge.length, "truncated");
            assertEquals(1, predictionsFor("edge-after", 1).size(), "the record after it is predicted");
        } finally {
            dlqLimit(String.valueOf((16 << 20) + (64 << 10)));
        }
    }

    private static void dlqLimit(String bytes) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrap());
        try (Admin admin = Admin.create(p)) {
            var topic = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "images-dlq");
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", bytes),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    @Test
    void unlabeledEventsArePredictedButNotTrainedOn() throws Exception {
        awaitIdle();
        long trainedBefore = training.serving().trainer().examplesTrained();
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) batch.add(digit("unlabeled-" + i, i, false));
        TestKafka.send("images", batch);
        List<JsonNode> predictions = TestKafka.predictions("unlabeled-", 40);
        assertEquals(40, predictions.size());
        for (JsonNode p : predictions) {
            assertTrue(p.get("label").isNull(), p.toString());
            assertTrue(p.get("correct").isNull(), p.toString());
            assertEquals(10, p.get("probabilities").size());
        }
        Thread.sleep(1500); // longer than the idle flush: anything buffered would be trained now
        assertEquals(trainedBefore, training.serving().trainer().examplesTrained());
    }

    @Test
    void invalidRecordsGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        String pixels = Base64.getEncoder().encodeToString(new byte[784]);
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("bad-json", "{\"id\": \"x\", \"width\": 28,");
        hostile.put("bad-array", "[1, 2, 3]");
        hostile.put("bad-missing", "{\"id\": \"m\", \"width\": 28, \"height\": 28}");
        hostile.put("bad-float-label", "{\"label\": 2.5, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}");
        hostile.put("bad-string-label", "{\"label\": \"7\", \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}");
        hostile.put("bad-negative-label", "{\"label\": -1, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}");
        hostile.put("bad-base64", "{\"label\": 1, \"width\": 28, \"height\": 28, \"pixels\": \"not base64!!\"}");
        hostile.put("bad-short", "{\"label\": 1, \"width\": 28, \"height\": 28, \"pixels\": \"AAAA\"}");
        hostile.put("bad-size", "{\"label\": 1, \"width\": 20, \"height\": 20, \"pixels\": \"" + pixels + "\"}");
        hostile.put("bad-empty", "");
        hostile.put("bad-huge", "{\"pad\": \"" + "x".repeat(1_100_000) + "\"}");
        Map<String, String> expected = Map.ofEntries(Map.entry("bad-json", "invalid-json"), Map.entry("bad-array", "invalid-json"),
                Map.entry("bad-missing", "missing-field"), Map.entry("bad-float-label", "bad-label"),
                Map.entry("bad-string-label", "bad-label"), Map.entry("bad-negative-label", "bad-label"),
                Map.entry("bad-base64", "bad-pixels"), Map.entry("bad-short", "bad-pixels"),
                Map.entry("bad-size", "size-mismatch"), Map.entry("bad-empty", "invalid-json"), Map.entry("bad-huge", "too-large"));

        List<ProducerRecord<String, byte[]>> mixed = new ArrayList<>();
        int i = 0;
        for (var e : hostile.entrySet()) {
            mixed.add(digit("between-" + i, i, true));
            mixed.add(TestKafka.record("images", e.getKey(), e.getValue()));
            i++;
        }
        mixed.add(digit("between-" + i, i, true));
        TestKafka.send("images", mixed);

        List<ConsumerRecord<String, byte[]>> dlq = TestKafka.readUntil("images-dlq", Duration.ofSeconds(30),
                read -> read.stream().map(ConsumerRecord::key).filter(hostile::containsKey).distinct().count() == hostile.size());
        Map<String, ConsumerRecord<String, byte[]>> byKey = new HashMap<>();
        for (var r : dlq) if (hostile.containsKey(r.key())) byKey.put(r.key(), r);
        assertEquals(hostile.keySet(), byKey.keySet());
        for (var e : expected.entrySet()) {
            ConsumerRecord<String, byte[]> r = byKey.get(e.getKey());
            assertEquals(e.getValue(), TestKafka.header(r, "dlq-reason"), e.getKey());
            assertFalse(TestKafka.header(r, "dlq-detail").isBlank(), e.getKey());
            assertArrayEquals(hostile.get(e.getKey()).getBytes(StandardCharsets.UTF_8), r.value(), "original bytes of " + e.getKey());
        }
        assertEquals(hostile.size() + 1, predictionsFor("between-", hostile.size() + 1).size(), "the valid records around them");
        assertTrue(Metrics.globalRegistry.get("mlp_dlq_records").tag("reason", "bad-label").counter().count() >= 3);
        // the predictions read above were committed: the commits, and the time the trainer waited for them, are counted
        var commits = Metrics.globalRegistry.get("mlp_output_commit").functionTimer();
        assertTrue(commits.count() >= 1 && commits.totalTime(TimeUnit.NANOSECONDS) > 0, commits.count() + " commits");
    }

    @Test
    void trainingMetricsHaveTheDocumentedFieldsAndTheConfiguredBatchSize() throws Exception {
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 64; i++) batch.add(digit("metrics-" + i, i, true));
        TestKafka.send("images", batch);
        predictionsFor("metrics-", 64);
        awaitIdle();
        List<ConsumerRecord<String, byte[]>> metrics = TestKafka.readUntil("training-metrics", Duration.ofSeconds(20),
                read -> read.size() >= 4);
        assertTrue(metrics.size() >= 4);
        Set<String> fields = Set.of("model", "step", "examples", "batchSize", "loss", "batchAccuracy", "prequentialAccuracy",
                "learningRate", "gradientNorm", "layers", "stepSeconds", "timestamp");
        int full = 0;
        long previousStep = 0;
        for (var r : metrics) {
            JsonNode m = Json.mapper().readTree(r.value());
            assertEquals("mnist-mlp", r.key());
            Set<String> names = new HashSet<>();
            m.fieldNames().forEachRemaining(names::add);
            assertEquals(fields, names);
            assertTrue(m.get("step").asLong() > previousStep, "steps increase");
            previousStep = m.get("step").asLong();
            int b = m.get("batchSize").asInt();
            assertTrue(b > 0 && b <= 16, "batch size " + b);
            if (b == 16) full++;
            assertEquals(3, m.get("layers").size());
            JsonNode layer = m.get("layers").get(0);
            for (String f : List.of("name", "weightGradNorm", "biasGradNorm", "weightNorm", "deadFraction")) {
                assertNotNull(layer.get(f), f);
            }
            assertTrue(layer.get("weightGradNorm").asDouble() > 0);
        }
        assertTrue(full >= 4, "full steps of the configured batch size: " + full);
    }

    @Test
    void offsetsAreCommittedOnceRecordsAreTrainedOn() throws Exception {
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 37; i++) batch.add(digit("commit-" + i, i, true)); // not a multiple of 16: the idle flush
        TestKafka.send("images", batch);
        predictionsFor("commit-", 37);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrap());
        try (Admin admin = Admin.create(p)) {
            TopicPartition tp = new TopicPartition("images", 0);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
            long committed = -1;
            for (int attempt = 0; attempt < 100 && committed < end; attempt++) {
                Thread.sleep(200);
                OffsetAndMetadata o = admin.listConsumerGroupOffsets("mlp-stream").partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).get(tp);
                committed = o == null ? -1 : o.offset();
            }
            assertEquals(end, committed, "everything read is trained and committed");
        }
    }

    private ProducerRecord<String, byte[]> digit(String id, int index, boolean labeled) {
        byte[] json = ImageEvents.toJson(id, labeled ? labels[index] & 0xFF : null, 28, 28, images.pixels(), index * 784);
        return new ProducerRecord<>("images", id, json);
    }

    private Map<String, Integer> predictionsFor(String prefix, int expected) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode p : TestKafka.predictions(prefix, expected)) counts.merge(p.get("id").asText(), 1, Integer::sum);
        return counts;
    }

    private void awaitTrained(long expected) throws InterruptedException {
        for (int i = 0; i < 100 && training.serving().trainer().examplesTrained() < expected; i++) Thread.sleep(100);
        assertEquals(expected, training.serving().trainer().examplesTrained());
    }

    private void awaitIdle() throws InterruptedException {
        Thread.sleep(1500);
    }
}
