package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Interactive queries over the statistics' state stores. This instance answers from its own stores:
 * with one service instance (or one predictions partition) that is everything.
 */
@ApplicationScoped
public class StatsQueries {

    /** One window: [start, end), with its counts. */
    public record Window(Instant start, Instant end, long correct, long total) {
    }

    /** The stores are not queryable yet (Kafka Streams is starting or rebalancing). */
    public static class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }

    @Inject
    KafkaStreams streams;

    @Inject
    StatsConfig config;

    public Optional<ConfusionMatrix> confusion(String model) {
        return query(() -> Optional.ofNullable(this.<ConfusionMatrix>keyValue(StatsTopology.CONFUSION, model)));
    }

    public Optional<ClassMetrics> classMetrics(String model) {
        return query(() -> Optional.ofNullable(this.<ClassMetrics>keyValue(StatsTopology.CLASS_METRICS, model)));
    }

    public List<Duration> windowSizes() {
        return config.windows();
    }

    /** The newest {@code limit} windows of the given size, oldest first. */
    public List<Window> accuracy(String model, Duration size, int limit) {
        return query(() -> {
            ReadOnlyWindowStore<String, WindowAccuracy> store = streams.store(StoreQueryParameters.fromNameAndType(
                    StatsTopology.accuracyStore(size), QueryableStoreTypes.windowStore()));
            List<Window> newestFirst = new ArrayList<>();
            Instant until = Instant.now().plus(size);
            try (WindowStoreIterator<WindowAccuracy> it = store.backwardFetch(model, Instant.EPOCH, until)) {
                while (it.hasNext() && newestFirst.size() < limit) {
                    KeyValue<Long, WindowAccuracy> w = it.next();
                    Instant start = Instant.ofEpochMilli(w.key);
                    newestFirst.add(new Window(start, start.plus(size), w.value.correct(), w.value.total()));
                }
            }
            Collections.reverse(newestFirst);
            return newestFirst;
        });
    }

    private <V> V keyValue(String storeName, String key) {
        ReadOnlyKeyValueStore<String, V> store = streams.store(StoreQueryParameters.fromNameAndType(storeName,
                QueryableStoreTypes.keyValueStore()));
        return store.get(key);
    }

    /** Runs a query; a store that is not queryable (yet) may fail on its first read, not only on lookup. */
    private <T> T query(Supplier<T> q) {
        try {
            return q.get();
        } catch (InvalidStateStoreException e) {
            throw new NotReady("the statistics are not queryable yet (Kafka Streams is " + streams.state() + ")");
        }
    }
}
