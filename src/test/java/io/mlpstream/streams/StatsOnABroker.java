package io.mlpstream.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/** What the tests that run the statistics on a real broker share: their settings and the count they read back. */
final class StatsOnABroker {
    private StatsOnABroker() {
    }

    /**
     * As application.properties configures the statistics, with a shorter commit interval. Quarkus closes Kafka Streams
     * without leaving the group, so a restarted instance gets its tasks back once the old member's session timed out.
     */
    static Properties props(String applicationId, String bootstrap, Path stateDir, String guarantee, long cacheBytes) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
        props.put("session.timeout.ms", 10_000);
        props.put("heartbeat.interval.ms", 3_000);
        return props;
    }

    /** The count of model "m"'s confusion matrix once it reaches {@code expected}, or what it is after {@code within}. */
    static long awaitTotal(KafkaStreams streams, long expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long total = -1;
        while (total < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            total = total(streams);
        }
        return total;
    }

    /**
     * The total once the stores answer: Kafka Streams may rebalance again just after its first assignment (its
     * internal topics made), and a store is not queryable meanwhile.
     */
    static long awaitQueryable(KafkaStreams streams, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long total = total(streams);
        while (total < 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            total = total(streams);
        }
        return total;
    }

    /** Waits until the statistics' group has committed {@code offset} on the topic's partition 0. */
    static void awaitCommitted(String bootstrap, String applicationId, String topic, long offset, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
                        .get().get(new TopicPartition(topic, 0));
                if (committed != null && committed.offset() >= offset) return;
                Thread.sleep(200);
            }
        }
        throw new AssertionError(applicationId + " did not commit offset " + offset + " of " + topic + " within " + within);
    }

    /** The predictions of model "m" counted so far; -1 while the store cannot be read (starting, restoring, a thread replaced). */
    static long total(KafkaStreams streams) {
        try {
            ConfusionMatrix m = streams.store(StoreQueryParameters.fromNameAndType(StatsTopology.CONFUSION,
                    QueryableStoreTypes.<String, ConfusionMatrix>keyValueStore())).get("m");
            return m == null ? 0 : m.total();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }
}
