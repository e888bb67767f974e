package io.mlpstream.messaging;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Prediction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * mlp.delivery.guarantee=at-least-once, for brokers without transactions, on a real broker: every image predicted and
 * learned, the offsets committed on the consumer once their outputs are stored; and a record the broker refuses (a
 * dead letter above images-dlq's limit, made smaller here than the service would make it) costs that record only,
 * never a second copy of the predictions sent with it (review finding 10).
 */
@QuarkusTest
@TestProfile(AtLeastOnceTest.AtLeastOnce.class)
@QuarkusTestResource(value = AtLeastOnceTest.SmallDeadLetters.class, restrictToAnnotatedClass = true)
class AtLeastOnceTest {

    public static class AtLeastOnce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.delivery.guarantee", "at-least-once", "kafka-streams.processing.guarantee", "at_least_once");
        }
    }

    /** The broker, with images-dlq and labels-dlq created before the service, at 512 KiB a record. */
    public static class SmallDeadLetters extends KafkaBroker {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            Properties p = new Properties();
            p.put("bootstrap.servers", config.get("kafka.bootstrap.servers"));
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("images-dlq", 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(512 << 10))), new NewTopic("labels-dlq", 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(512 << 10))))).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return config;
        }
    }

    @Test
    void everyImageIsPredictedOnceAndARefusedDeadLetterRepeatsNothing() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(new ProducerRecord<>("images", "alo-" + i, ImageEvents.toJson("alo-" + i, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784)));
        }
        byte[] huge = new byte[600 << 10]; // not JSON: a dead letter of 600 KB, above images-dlq's 512 KiB
        new Random(1).nextBytes(huge); // incompressible: the producer's compression must not shrink it below the limit
        batch.add(new ProducerRecord<>("images", "alo-huge", huge));
        for (int i = 50; i < 100; i++) {
            batch.add(new ProducerRecord<>("images", "alo-" + i, ImageEvents.toJson("alo-" + i, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784)));
        }
        TestKafka.sendAll(batch);

        List<JsonNode> predicted = TestKafka.predictions("alo-", 100);
        Thread.sleep(2000); // a second copy would show now
        predicted = TestKafka.predictions("alo-", 100);
        Map<String, Integer> copies = new HashMap<>();
        for (JsonNode p : predicted) copies.merge(p.get("id").asText(), 1, Integer::sum);
        assertEquals(100, copies.size(), "every image predicted");
        assertTrue(copies.values().stream().allMatch(n -> n == 1), "no prediction published twice: " + copies);
        for (int i = 0; i < 100 && ModelsApi.trained().values().iterator().next() < 100; i++) Thread.sleep(100);
        assertEquals(100L, ModelsApi.trained().values().iterator().next(), "every labeled image learned once");
        replaysAreCountedOnceByTheStatistics();

        Properties p = new Properties();
        p.put("bootstrap.servers", TestKafka.bootstrap());
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (int i = 0; i < 50; i++) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("mlp-stream")
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                admin.listOffsets(Map.of(new TopicPartition("images", 0), OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                        .forEach((tp, info) -> ends.put(tp, info.offset()));
                OffsetAndMetadata at = committed.get(new TopicPartition("images", 0));
                if (at != null && at.offset() == ends.get(new TopicPartition("images", 0))) return;
                Thread.sleep(200);
            }
            throw new AssertionError("the consumer group's offsets did not reach the end of images: " + ends);
        }
    }

    /**
     * At-least-once, a replay is committed: the statistics' dedup store drops it. The predictions carry no exactly-once
     * mark here, so every one is remembered; sent again as a restarted service sends them, none is counted twice.
     */
    private static void replaysAreCountedOnceByTheStatistics() throws Exception {
        List<ConsumerRecord<String, byte[]>> written = TestKafka.readUntil("predictions", Duration.ofSeconds(30),
                r -> r.stream().filter(x -> x.key().startsWith("alo-")).count() >= 100);
        List<ProducerRecord<String, byte[]>> replays = new ArrayList<>();
        for (var r : written) {
            if (!r.key().startsWith("alo-")) continue;
            assertNull(r.headers().lastHeader(Prediction.EXACTLY_ONCE), r.key());
            replays.add(new ProducerRecord<>("predictions", null, r.key(), r.value(), r.headers()));
        }
        assertEquals(100, replays.size());
        for (int i = 0; i < 300 && statsTotal() < 100; i++) Thread.sleep(100);
        assertEquals(100, statsTotal(), "every labeled prediction counted");
        TestKafka.sendAll(replays);
        Thread.sleep(3000); // a commit of the statistics, and more
        assertEquals(100, statsTotal(), "the replays were not counted again");
    }

    private static long statsTotal() {
        var r = given().get("/api/stats/confusion");
        return r.statusCode() == 200 ? r.jsonPath().getLong("total") : -1;
    }

    /**
     * Review finding 17: a label record too large for labels-dlq (600 KB against 512 KiB) was dropped, its dead letter
     * only counted; like images-dlq's, it is sent with the first bytes of its value and its original size.
     */
    @Test
    void aLabelTooLargeForItsDeadLetterTopicIsDeadLetteredTruncated() throws Exception {
        byte[] huge = new byte[600 << 10];
        new Random(2).nextBytes(huge);
        TestKafka.sendAll(List.of(new ProducerRecord<>("labels", "huge-label", huge)));
        List<ConsumerRecord<String, byte[]>> dlq = TestKafka.readUntil("labels-dlq", Duration.ofSeconds(30),
                r -> r.stream().anyMatch(x -> "huge-label".equals(x.key())));
        ConsumerRecord<String, byte[]> letter = dlq.stream().filter(x -> "huge-label".equals(x.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter for the label"));
        assertEquals(String.valueOf(600 << 10), TestKafka.header(letter, "dlq-original-bytes"));
        assertTrue(letter.value().length < 512 << 10, "truncated: " + letter.value().length);
        assertEquals("invalid-json", TestKafka.header(letter, "dlq-reason"), "at most 1 KiB is a label");
    }
}
