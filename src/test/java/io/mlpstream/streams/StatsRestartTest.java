package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlpstream.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ids seen survive a restart of the statistics through their changelog alone: the second run starts
 * with an empty local state directory (a new machine, or a wiped disk) and still drops the replays.
 */
class StatsRestartTest {
    static EmbeddedKafka broker;

    @BeforeAll
    static void startBroker(@TempDir Path dir) throws Exception {
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("predictions", 1, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void replaysAfterARestartOnAnotherStateDirectoryAreCountedOnce(@TempDir Path first, @TempDir Path second)
            throws Exception {
        send(0, 300);
        try (KafkaStreams streams = start(first)) {
            assertEquals(300, awaitTotal(streams, 300));
        }
        send(0, 300);   // the restarted service replays everything...
        send(300, 350); // ...and goes on with new predictions
        try (KafkaStreams streams = start(second)) {
            assertEquals(350, awaitTotal(streams, 350));
            Thread.sleep(2000);
            assertEquals(350, total(streams));
        }
    }

    @Test
    void queriesBeforeKafkaStreamsRunsSayNotReady(@TempDir Path stateDir) {
        StatsQueries queries = new StatsQueries();
        queries.streams = new KafkaStreams(StatsTopology.build("predictions", 10, List.of(Duration.ofMinutes(1)),
                Duration.ofHours(1), Duration.ofDays(1)), props(stateDir)); // created, not started
        queries.config = new StatsConfig() {
            public List<Duration> windows() {
                return List.of(Duration.ofMinutes(1));
            }

            public Duration windowRetention() {
                return Duration.ofHours(1);
            }

            public Duration dedupRetention() {
                return Duration.ofDays(1);
            }
        };
        try {
            assertThrows(StatsQueries.NotReady.class, () -> queries.confusion("m"));
            assertThrows(StatsQueries.NotReady.class, () -> queries.classMetrics("m"));
            assertThrows(StatsQueries.NotReady.class, () -> queries.accuracy("m", Duration.ofMinutes(1), 10));
        } finally {
            queries.streams.close();
        }
    }

    private static void send(int from, int to) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                String id = "img-" + i;
                producer.send(new ProducerRecord<>("predictions", id,
                        StatsTopologyTest.prediction(id, i % 10, (i * 7) % 10, "m"))).get();
            }
        }
    }

    private static KafkaStreams start(Path stateDir) {
        KafkaStreams streams = new KafkaStreams(StatsTopology.build("predictions", 10,
                List.of(Duration.ofMinutes(1)), Duration.ofHours(1), Duration.ofDays(1)), props(stateDir));
        streams.start();
        return streams;
    }

    private static Properties props(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-restart-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
        // as in application.properties: Quarkus closes Kafka Streams without leaving the group, so the
        // restarted instance gets its tasks back once the old member's session has timed out
        props.put("session.timeout.ms", 10_000);
        props.put("heartbeat.interval.ms", 3_000);
        return props;
    }

    private static long awaitTotal(KafkaStreams streams, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long total = -1;
        while (total < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            total = total(streams);
        }
        return total;
    }

    private static long total(KafkaStreams streams) {
        try {
            ConfusionMatrix m = streams.store(StoreQueryParameters.fromNameAndType(StatsTopology.CONFUSION,
                    QueryableStoreTypes.<String, ConfusionMatrix>keyValueStore())).get("m");
            return m == null ? 0 : m.total();
        } catch (InvalidStateStoreException e) {
            return -1; // starting or restoring
        }
    }
}
