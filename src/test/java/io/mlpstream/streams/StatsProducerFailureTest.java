package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics' producer fails after the dedup store has remembered ids and before the sums of their outcomes reached
 * the repartition topic (review 0a66d62, section B). Under exactly_once_v2, as application.properties configures it, the
 * failed thread's transaction aborts with the dedup's changelog writes in it, {@link StatsThreadReplacer} replaces
 * the thread, and the records are read again from the committed offsets: every prediction is counted once. Under
 * at_least_once the replaced thread's store still holds the ids whose outcomes were lost, and drops them as replays
 * (checked by running this test with that guarantee: it fails, counting fewer).
 */
class StatsProducerFailureTest {
    static final int PREDICTIONS = 1000;
    static EmbeddedKafka broker;

    @BeforeAll
    static void startBroker(@TempDir Path dir) throws Exception {
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("predictions", 2, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aSendToTheRepartitionTopicThatFailsLosesAndDoublesNothing(@TempDir Path stateDir) throws Exception {
        FailingOnce supplier = new FailingOnce(2); // the sums go every 100 ms: a few sends, the second one fails
        AtomicInteger replaced = new AtomicInteger();
        StatsThreadReplacer replacer = new StatsThreadReplacer();
        try (KafkaStreams streams = new KafkaStreams(StatsTopology.build("predictions", 10,
                List.of(Duration.ofMinutes(1)), Duration.ofHours(1), Duration.ofDays(1)), StatsOnABroker.props("stats-failure-test",
                broker.bootstrapServers(), stateDir, StreamsConfig.EXACTLY_ONCE_V2, 10_485_760), supplier)) {
            streams.setUncaughtExceptionHandler(e -> {
                replaced.incrementAndGet();
                return replacer.handle(e);
            });
            streams.start();
            send(0, PREDICTIONS);
            StatsOnABroker.awaitTotal(streams, PREDICTIONS, Duration.ofSeconds(90));
            Thread.sleep(2000); // a double count would show by now
            long total = StatsOnABroker.awaitTotal(streams, PREDICTIONS, Duration.ofSeconds(90));
            assertTrue(supplier.failed.get() == 1, "the injected failure happened once: " + supplier.failed);
            assertTrue(replaced.get() >= 1, "the failed statistics thread was replaced");
            assertEquals(PREDICTIONS, total, "every prediction counted once after the failed send");
        }
    }

    /** The producers Kafka Streams creates, one of whose sends to a repartition topic fails (after the dedup's puts). */
    static final class FailingOnce extends DefaultKafkaClientSupplier {
        final int failAt;
        final AtomicInteger repartitionSends = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        FailingOnce(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
                @Override
                public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                    if (record.topic().endsWith("-repartition") && repartitionSends.incrementAndGet() == failAt) {
                        failed.incrementAndGet();
                        KafkaException e = new KafkaException("injected: the send to " + record.topic() + " failed");
                        callback.onCompletion(null, e);
                        return CompletableFuture.failedFuture(e);
                    }
                    return super.send(record, callback);
                }
            };
        }
    }

    private static void send(int from, int to) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                String id = "img-" + i;
                producer.send(new ProducerRecord<>("predictions", id,
                        StatsTopologyTest.prediction(id, i % 10, (i * 7) % 10, "m")));
            }
            producer.flush();
        }
    }
}
