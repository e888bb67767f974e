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
import org.apache.kafka.streams.StreamsConfig;
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
            assertEquals(300, StatsOnABroker.awaitTotal(streams, 300, Duration.ofSeconds(60)));
        }
        send(0, 300);   // the restarted service replays everything...
        send(300, 350); // ...and goes on with new predictions
        try (KafkaStreams streams = start(second)) {
            assertEquals(350, StatsOnABroker.awaitTotal(streams, 350, Duration.ofSeconds(60)));
            Thread.sleep(2000);
            assertEquals(350, StatsOnABroker.total(streams));
        }
    }

    /**
     * The sums of outcomes wait between two sends in a logged store: a commit that covers their predictions keeps them
     * in its changelog, and the next instance, on an empty state directory, sends them on. Held in memory alone, they
     * would be lost with the first instance: 0 of 200 counted.
     */
    @Test
    void sumsCommittedBeforeTheyWereSentAreCountedByTheNextInstance(@TempDir Path first, @TempDir Path second)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("held-predictions", 1, (short) 1))).all().get();
        }
        send("held-predictions", 0, 200);
        Properties props = StatsOnABroker.props("stats-held-sums-test", broker.bootstrapServers(), first,
                StreamsConfig.EXACTLY_ONCE_V2, 0);
        try (KafkaStreams streams = new KafkaStreams(StatsTopology.build(List.of("held-predictions"), null, 10,
                List.of(Duration.ofMinutes(1)), Duration.ofHours(1), Duration.ofDays(1), Duration.ofHours(1)), props)) {
            streams.start();
            StatsOnABroker.awaitCommitted(broker.bootstrapServers(), "stats-held-sums-test", "held-predictions", 200,
                    Duration.ofSeconds(60));
            // held back: nothing sent on yet (-1 would be a store not queryable yet, during a follow-up rebalance)
            assertEquals(0, StatsOnABroker.awaitQueryable(streams, Duration.ofSeconds(30)));
        }
        props.put(StreamsConfig.STATE_DIR_CONFIG, second.toString());
        try (KafkaStreams streams = new KafkaStreams(StatsTopology.build(List.of("held-predictions"), null, 10,
                List.of(Duration.ofMinutes(1)), Duration.ofHours(1), Duration.ofDays(1)), props)) {
            streams.start();
            assertEquals(200, StatsOnABroker.awaitTotal(streams, 200, Duration.ofSeconds(60)));
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
        send("predictions", from, to);
    }

    private static void send(String topic, int from, int to) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                String id = "img-" + i;
                producer.send(new ProducerRecord<>(topic, id,
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
        return StatsOnABroker.props("stats-restart-test", broker.bootstrapServers(), stateDir, StreamsConfig.AT_LEAST_ONCE, 0);
    }
}
