package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.events.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statistics topology in a TopologyTestDriver: no broker, time under the test's control. */
class StatsTopologyTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, String> predictions;

    @BeforeEach
    void start() {
        start(StreamsConfig.AT_LEAST_ONCE);
    }

    void start(String guarantee) {
        Properties props = new Properties();
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StatsTopology.build("predictions", 10,
                List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)), Duration.ofHours(1), Duration.ofDays(1)),
                props);
        predictions = driver.createInputTopic("predictions", new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    static String prediction(String id, Integer label, int predicted, String model) {
        return "{\"id\":\"" + id + "\",\"predicted\":" + predicted + ",\"confidence\":0.9,\"probabilities\":[],"
                + "\"label\":" + label + ",\"correct\":" + (label == null ? null : label == predicted)
                + ",\"loss\":null,\"model\":\"" + model + "\",\"modelStep\":3,\"timestamp\":0}";
    }

    @Test
    void confusionMatrixCountsLabeledPredictionsPerModel() {
        Random random = new Random(7);
        long[][] expected = new long[10][10];
        for (int i = 0; i < 200; i++) {
            int label = random.nextInt(10);
            int predicted = random.nextDouble() < 0.7 ? label : random.nextInt(10);
            expected[label][predicted]++;
            predictions.pipeInput("img-" + i, prediction("img-" + i, label, predicted, "a"), T0.plusMillis(i));
        }
        predictions.pipeInput("unlabeled", prediction("unlabeled", null, 3, "a"), T0);
        predictions.pipeInput("other-model", prediction("other-model", 1, 2, "b"), T0);
        predictions.pipeInput("junk", "not json", T0);
        predictions.pipeInput("tombstone", null, T0);

        KeyValueStore<String, ConfusionMatrix> confusion = this.<ConfusionMatrix>store(StatsTopology.CONFUSION);
        assertEquals(200, confusion.get("a").total());
        for (int label = 0; label < 10; label++) {
            assertArrayEquals(expected[label], confusion.get("a").counts()[label], "row " + label);
        }
        assertEquals(1, confusion.get("b").total());
        assertEquals(1, confusion.get("b").counts()[1][2]);
    }

    /**
     * Review finding 6: a recreated topic hands its default ids (topic-partition-offset) out again. The input record's
     * timestamp (a header) tells a replay of the same record, dropped, from a new record with the same id, counted.
     */
    @Test
    void aNewRecordThatReusesAnIdIsCountedAndAReplayIsNot() {
        predictions.pipeInput(withInput("images-0-5", prediction("images-0-5", 1, 1, "a"), T0, 1000));
        predictions.pipeInput(withInput("images-0-5", prediction("images-0-5", 1, 2, "a"), T0.plusSeconds(30), 1000)); // a replay
        predictions.pipeInput(withInput("images-0-5", prediction("images-0-5", 3, 3, "a"), T0.plusSeconds(60), 90_000)); // recreated
        ConfusionMatrix m = this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a");
        assertEquals(2, m.total());
        assertEquals(1, m.counts()[1][1]);
        assertEquals(1, m.counts()[3][3]);
    }

    /**
     * #24: a prediction written in the transaction that commits its input offsets (exactly-once, the
     * {@link Prediction#EXACTLY_ONCE} header) is never repeated in a committed topic: counted without the dedup's
     * store lookup, put and changelog record. The serving model's copy in the predictions topic, marked
     * {@link Prediction#COPY} when several models run, is left to its twin in model-predictions.
     */
    @Test
    void anExactlyOncePredictionSkipsTheDedupStoreAndAServingCopyIsCountedOnceThroughItsTwin() {
        driver.close();
        start(StreamsConfig.EXACTLY_ONCE_V2); // read_committed: an aborted copy is never read
        TestRecord<String, String> once = withInput("img-1", prediction("img-1", 2, 2, "a"), T0, 1000);
        once.headers().add(Prediction.EXACTLY_ONCE, new byte[0]);
        predictions.pipeInput(once);
        TestRecord<String, String> copy = withInput("img-2", prediction("img-2", 4, 4, "a"), T0, 2000);
        copy.headers().add(Prediction.EXACTLY_ONCE, new byte[0]);
        copy.headers().add(Prediction.COPY, new byte[0]);
        predictions.pipeInput(copy); // its twin went to model-predictions, which this test does not read
        predictions.pipeInput(withInput("img-3", prediction("img-3", 5, 5, "a"), T0, 3000)); // at-least-once: deduplicated

        ConfusionMatrix m = this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a");
        assertEquals(2, m.total());
        assertEquals(0, m.counts()[4][4]);
        WindowStore<String, Long> seen = driver.getWindowStore(StatsTopology.SEEN);
        List<String> remembered = new ArrayList<>();
        try (var all = seen.all()) {
            all.forEachRemaining(kv -> remembered.add(kv.key.key()));
        }
        assertEquals(List.of("a/img-3"), remembered);
    }

    /** At-least-once, Kafka Streams reads aborted transactions too: the exactly-once mark is not trusted. */
    @Test
    void readingUncommittedRecordsTheStatisticsLookForCopiesOfMarkedPredictionsToo() {
        for (int i = 0; i < 2; i++) { // a copy from an aborted transaction, then the committed one
            TestRecord<String, String> once = withInput("img-1", prediction("img-1", 2, 2, "a"), T0.plusSeconds(i), 1000);
            once.headers().add(Prediction.EXACTLY_ONCE, new byte[0]);
            predictions.pipeInput(once);
        }
        assertEquals(1, this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a").total());
    }

    private static TestRecord<String, String> withInput(String key, String value, Instant time, long inputTimestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Prediction.INPUT_TIMESTAMP, String.valueOf(inputTimestamp).getBytes(StandardCharsets.UTF_8));
        return new TestRecord<>(key, value, headers, time);
    }

    @Test
    void replayedPredictionsAreCountedOnce() {
        for (int i = 0; i < 20; i++) predictions.pipeInput("img-" + i, prediction("img-" + i, 1, 1, "a"), T0);
        // a restarted service replays the same ids, possibly with a different prediction and a later time
        for (int i = 0; i < 20; i++) {
            predictions.pipeInput("img-" + i, prediction("img-" + i, 1, 2, "a"), T0.plusSeconds(30));
        }
        ConfusionMatrix m = this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a");
        assertEquals(20, m.total());
        assertEquals(20, m.counts()[1][1]);
        assertEquals(0, m.counts()[1][2]);
        // the same id under another model is another prediction
        predictions.pipeInput("img-0", prediction("img-0", 1, 2, "b"), T0);
        assertEquals(1, this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("b").total());
        // the ids seen are in a changelogged store, so they survive a restart
        assertTrue(driver.producedTopicNames().contains("stats-test-" + StatsTopology.SEEN + "-changelog"),
                driver.producedTopicNames().toString());
    }

    @Test
    void precisionAndRecallFollowTheMatrix() {
        // label 0: 3 right, 1 predicted as 1; label 1: 2 right; label 2: 1 predicted as 0
        int[][] pairs = {{0, 0}, {0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 0}};
        for (int i = 0; i < pairs.length; i++) {
            predictions.pipeInput("p" + i, prediction("p" + i, pairs[i][0], pairs[i][1], "a"), T0);
        }
        ClassMetrics c = this.<ClassMetrics>store(StatsTopology.CLASS_METRICS).get("a");
        assertEquals(3.0 / 4, c.precision()[0], 1e-12);  // predicted 0: 4 times, 3 right
        assertEquals(3.0 / 4, c.recall()[0], 1e-12);     // labeled 0: 4 times, 3 found
        assertEquals(2.0 / 3, c.precision()[1], 1e-12);
        assertEquals(1.0, c.recall()[1], 1e-12);
        assertTrue(Double.isNaN(c.precision()[2]));       // never predicted
        assertEquals(0.0, c.recall()[2], 1e-12);
        assertEquals(7, c.total());
        assertArrayEquals(new long[] {4, 2, 1, 0, 0, 0, 0, 0, 0, 0}, c.support());
    }

    @Test
    void accuracyIsCountedPerTumblingWindow() {
        // window [0s,10s): 3 of 4 right; [10s,20s): 1 of 2; [60s,70s): 0 of 1
        pipe("w1", 5, 5, T0.plusSeconds(1));
        pipe("w2", 5, 5, T0.plusSeconds(2));
        pipe("w3", 5, 5, T0.plusSeconds(9));
        pipe("w4", 5, 4, T0.plusSeconds(9).plusMillis(999));
        pipe("w5", 3, 3, T0.plusSeconds(10));
        pipe("w6", 3, 8, T0.plusSeconds(15));
        pipe("w7", 2, 8, T0.plusSeconds(65));
        pipe("w1", 5, 0, T0.plusSeconds(66)); // a replay: not counted again

        assertEquals(List.of(new KeyValue<>(T0, new WindowAccuracy(3, 4)),
                        new KeyValue<>(T0.plusSeconds(10), new WindowAccuracy(1, 2)),
                        new KeyValue<>(T0.plusSeconds(60), new WindowAccuracy(0, 1))),
                windows(Duration.ofSeconds(10)));
        assertEquals(List.of(new KeyValue<>(T0, new WindowAccuracy(4, 6)),
                        new KeyValue<>(T0.plusSeconds(60), new WindowAccuracy(0, 1))),
                windows(Duration.ofMinutes(1)));
    }

    /** #24: the repartition by model carries one record per model and time slot, the sums of its outcomes. */
    @Test
    void theRepartitionTopicCarriesSumsPerModelAndSlotNotEachPrediction() {
        for (int i = 0; i < 100; i++) pipe("s" + i, i % 10, (i % 4 == 0) ? 0 : i % 10, T0.plusMillis(i * 50));
        pipe("next-slot", 4, 4, T0.plusSeconds(10));
        predictions.pipeInput("b1", prediction("b1", 1, 2, "b"), T0);
        assertEquals(101, this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a").total());

        List<KeyValue<String, ConfusionMatrix>> sent = driver.createOutputTopic("stats-test-by-model-repartition",
                new StringDeserializer(), StatsSerdes.sums(10).deserializer()).readKeyValuesToList();
        assertEquals(List.of("a", "a", "b"), sent.stream().map(kv -> kv.key).sorted().toList()); // two slots of a, one of b
        assertEquals(101, sent.stream().filter(kv -> kv.key.equals("a")).mapToLong(kv -> kv.value.total()).sum());
        assertEquals(List.of(new KeyValue<>(T0, new WindowAccuracy(80, 100)),
                new KeyValue<>(T0.plusSeconds(10), new WindowAccuracy(1, 1))), windows(Duration.ofSeconds(10)));
    }

    @Test
    void unknownLabelsGrowTheMatrix() {
        pipe("big", 12, 3, T0);
        ConfusionMatrix m = this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("a");
        assertEquals(13, m.classes());
        assertEquals(1, m.counts()[12][3]);
        assertNull(this.<ConfusionMatrix>store(StatsTopology.CONFUSION).get("nobody"));
    }

    private void pipe(String id, int label, int predicted, Instant t) {
        predictions.pipeInput(id, prediction(id, label, predicted, "a"), t);
    }

    /** A store, once the pending sums went on: they do every {@link SumOutcomes#EVERY} of wall-clock time. */
    private <V> KeyValueStore<String, V> store(String name) {
        driver.advanceWallClockTime(SumOutcomes.EVERY);
        return driver.getKeyValueStore(name);
    }

    private List<KeyValue<Instant, WindowAccuracy>> windows(Duration size) {
        driver.advanceWallClockTime(SumOutcomes.EVERY);
        WindowStore<String, WindowAccuracy> store = driver.getWindowStore(StatsTopology.accuracyStore(size));
        List<KeyValue<Instant, WindowAccuracy>> out = new ArrayList<>();
        try (WindowStoreIterator<WindowAccuracy> it = store.fetch("a", T0.minusSeconds(60), T0.plusSeconds(600))) {
            it.forEachRemaining(kv -> out.add(new KeyValue<>(Instant.ofEpochMilli(kv.key), kv.value)));
        }
        return out;
    }
}
