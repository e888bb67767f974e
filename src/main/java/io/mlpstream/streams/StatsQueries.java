package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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
 * Interactive queries over the statistics' state stores. This instance answers from its own stores; {@link #holder}
 * says which instance holds a model's statistics when several run (every store is keyed by model).
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

    /** This instance's application.server (host:port), as the other instances reach it; unset: one instance, never asked. */
    @ConfigProperty(name = "kafka-streams.application.server")
    Optional<String> self;

    public Optional<ConfusionMatrix> confusion(String model) {
        return query(() -> Optional.ofNullable(this.<ConfusionMatrix>keyValue(StatsTopology.CONFUSION, model)));
    }

    public Optional<ClassMetrics> classMetrics(String model) {
        return query(() -> Optional.ofNullable(this.<ClassMetrics>keyValue(StatsTopology.CLASS_METRICS, model)));
    }

    /**
     * Where the statistics of this key live: empty when in this instance's stores, else the host:port of the instance
     * that holds them (Kafka Streams' metadata for the key). With one instance, or one predictions partition, always
     * this one.
     */
    public Optional<String> holder(String model) {
        if (self.isEmpty()) return Optional.empty();
        KeyQueryMetadata m;
        try {
            m = streams.queryMetadataForKey(StatsTopology.CONFUSION, model, Serdes.String().serializer());
        } catch (RuntimeException e) {
            throw new NotReady("the statistics are not queryable yet (Kafka Streams is " + streams.state() + ")");
        }
        if (m == null || m.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new NotReady("no instance holds the statistics of " + model + " now (Kafka Streams is " + streams.state() + ")");
        }
        if (holdsLocally(m.partition(), model)) return Optional.empty();
        HostInfo active = m.activeHost();
        return Optional.of(active.host() + ":" + active.port());
    }

    /** Whether this instance's own stores hold that partition (a read of it succeeds only where its task runs). */
    private boolean holdsLocally(int partition, String model) {
        try {
            ReadOnlyKeyValueStore<String, ConfusionMatrix> store = streams.store(StoreQueryParameters.<ReadOnlyKeyValueStore<String,
                    ConfusionMatrix>>fromNameAndType(StatsTopology.CONFUSION, QueryableStoreTypes.keyValueStore()).withPartition(partition));
            store.get(model);
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
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
