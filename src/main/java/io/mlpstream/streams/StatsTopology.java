package io.mlpstream.streams;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The statistics over the predictions topics, as Kafka Streams state stores:
 *
 * <pre>
 * predictions, model-predictions (key = image id; the serving model's predictions are in both)
 *   -> labeled outcomes          + late-examples (every model's prediction on arrival, scored by a later label)
 *   -> copies dropped: the serving model's copy on predictions, replays (store "seen-predictions", at-least-once)
 *   -> summed per model and time slot, sent on every 100 ms (store "pending-outcomes")
 *   -> re-keyed by model
 *      -> confusion matrix per model                 (store "confusion")
 *         -> per-class precision and recall           (store "class-metrics")
 *      -> correct/total per tumbling window, per size (stores "accuracy-10s", "accuracy-1m", ...)
 * </pre>
 *
 * Plain Kafka Streams, no CDI: the unit tests run it in a TopologyTestDriver.
 */
public final class StatsTopology {
    public static final String SEEN = "seen-predictions";
    public static final String PENDING = "pending-outcomes";
    public static final String CONFUSION = "confusion";
    public static final String CLASS_METRICS = "class-metrics";

    private StatsTopology() {
    }

    /** The window store of one window size, e.g. "accuracy-1m" for one minute. */
    public static String accuracyStore(Duration size) {
        return "accuracy-" + WindowSizes.format(size);
    }

    public static Topology build(String predictionsTopic, int classes, List<Duration> windows,
                                 Duration windowRetention, Duration dedupRetention) {
        return build(List.of(predictionsTopic), classes, windows, windowRetention, dedupRetention);
    }

    /**
     * Over several topics of predictions: each model's statistics come from whichever topic carries its predictions.
     * While several models run, model-predictions must be among them: the serving model's copies on predictions are
     * dropped, their twins there counted.
     */
    public static Topology build(List<String> predictionsTopics, int classes, List<Duration> windows,
                                 Duration windowRetention, Duration dedupRetention) {
        return build(predictionsTopics, null, classes, windows, windowRetention, dedupRetention);
    }

    /**
     * Over several topics of predictions and, if not null, the late-examples topic, whose records carry every
     * model's prediction made on the image's arrival, scored by the label that came later.
     */
    public static Topology build(List<String> predictionsTopics, String lateExamplesTopic, int classes, List<Duration> windows,
                                 Duration windowRetention, Duration dedupRetention) {
        return build(predictionsTopics, lateExamplesTopic, classes, windows, windowRetention, dedupRetention, SumOutcomes.EVERY);
    }

    /** As above, the sums of outcomes sent on every {@code sumsEvery} (a test holds them back). */
    static Topology build(List<String> predictionsTopics, String lateExamplesTopic, int classes, List<Duration> windows,
                          Duration windowRetention, Duration dedupRetention, Duration sumsEvery) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SEEN, dedupRetention, dedupRetention, false),
                Serdes.String(), Serdes.Long()));
        KStream<String, Outcome> outcomes = builder
                .stream(predictionsTopics, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .mapValues(Outcome::of)
                .filter((id, outcome) -> outcome != null);
        if (lateExamplesTopic != null) {
            outcomes = outcomes.merge(builder.stream(lateExamplesTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                    .flatMapValues(Outcome::ofLateExample));
        }
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING), Serdes.String(),
                StatsSerdes.confusionMatrix()).withCachingEnabled()); // logged by default; the cache logs once per commit
        KGroupedStream<String, ConfusionMatrix> byModel = outcomes
                .processValues(() -> new Deduplicate(SEEN, dedupRetention), SEEN)
                .process(() -> new SumOutcomes(PENDING, classes, windows, sumsEvery), PENDING)
                .groupByKey(Grouped.with("by-model", Serdes.String(), StatsSerdes.sums(classes)));

        KTable<String, ConfusionMatrix> confusion = byModel.aggregate(
                () -> ConfusionMatrix.empty(classes),
                (model, sums, matrix) -> matrix.plus(sums),
                Materialized.<String, ConfusionMatrix, KeyValueStore<Bytes, byte[]>>as(CONFUSION)
                        .withKeySerde(Serdes.String()).withValueSerde(StatsSerdes.confusionMatrix()));
        confusion.mapValues(ClassMetrics::of,
                Materialized.<String, ClassMetrics, KeyValueStore<Bytes, byte[]>>as(CLASS_METRICS)
                        .withKeySerde(Serdes.String()).withValueSerde(StatsSerdes.json(ClassMetrics.class)));

        for (Duration size : windows) {
            // Windows close with the size as grace: a prediction up to one window late still counts.
            byModel.windowedBy(TimeWindows.ofSizeAndGrace(size, size))
                    .aggregate(() -> WindowAccuracy.EMPTY, (model, sums, acc) -> acc.add(sums),
                            Materialized.<String, WindowAccuracy, WindowStore<Bytes, byte[]>>as(accuracyStore(size))
                                    .withKeySerde(Serdes.String()).withValueSerde(StatsSerdes.windowAccuracy())
                                    .withRetention(max(windowRetention, size.multipliedBy(2))));
        }
        return builder.build();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
