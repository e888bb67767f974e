package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.InvalidEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Bad input never hurts: 10,000 hostile records mixed with 1,000 valid ones. The service stays up and
 * ready, every hostile record is in the DLQ with a reason, every valid one is predicted, and the heap
 * stays bounded.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class FuzzTest {
    private static final int HOSTILE = 10_000;
    private static final int VALID = 1_000;

    @Inject
    PipelineRunner training;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Test
    void hostileRecordsGoToTheDlqAndValidOnesArePredicted() throws Exception {
        Random random = new Random(1234);
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < HOSTILE; i++) {
            byte[] value = hostile(i, random);
            records.add(new ProducerRecord<>("images", i % 7 == 0 ? null : "h-" + i, value));
        }
        for (int i = 0; i < VALID; i++) {
            String id = "valid-" + i;
            records.add(new ProducerRecord<>("images", id, ImageEvents.toJson(id, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784)));
        }
        Collections.shuffle(records, random);
        long heapLimit = Runtime.getRuntime().maxMemory();
        // what this JVM held before (the embedded broker, and whatever the Quarkus applications of earlier test
        // classes left for the collector) is not the fuzz's doing: the growth is what counts
        System.gc();
        System.gc();
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        TestKafka.sendAll(records);
        records = null; // only the service's memory should count below

        List<ConsumerRecord<String, byte[]>> dlq = TestKafka.readUntil("images-dlq", Duration.ofSeconds(120), r -> r.size() >= HOSTILE);
        assertEquals(HOSTILE, dlq.size(), "every hostile record, once");
        Map<String, Integer> reasons = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : dlq) {
            String reason = TestKafka.header(r, "dlq-reason");
            assertTrue(InvalidEvent.REASONS.contains(reason), "a known reason: " + reason);
            assertTrue(TestKafka.header(r, "dlq-detail") != null);
            reasons.merge(reason, 1, Integer::sum);
        }
        System.out.println("dead letters by reason: " + reasons);
        dlq = null;
        assertTrue(reasons.size() >= 6, "the hostile mix covers most reasons: " + reasons);

        Set<String> predicted = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : TestKafka.readUntil("predictions", Duration.ofSeconds(60),
                l -> l.stream().filter(x -> x.key().startsWith("valid-")).count() >= VALID)) {
            assertTrue(r.key().startsWith("valid-"), "only valid records are predicted: " + r.key());
            predicted.add(r.key());
        }
        assertEquals(VALID, predicted.size());
        assertTrue(training.isReady() && !partitions.assigned().isEmpty(), "still up and ready");
        System.gc();
        System.gc();
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("heap used after the fuzz and a GC: %d MB (before it: %d MB) of %d MB%n", used >> 20, before >> 20,
                heapLimit >> 20);
        // the broker shares this JVM; 10 MB records pass through both
        assertTrue(used - before < 200L << 20, "heap stays bounded: it grew by " + ((used - before) >> 20) + " MB");
    }

    private static byte[] hostile(int i, Random r) {
        String pixels = Base64.getEncoder().encodeToString(new byte[784]);
        String s = switch (i % 16) {
            case 0 -> null; // random bytes below
            case 1 -> "{\"label\": 3, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels.substring(0, r.nextInt(pixels.length())); // truncated
            case 2 -> "[".repeat(2000) + "]".repeat(2000); // deep nesting
            case 3 -> "{\"label\": 1, \"width\": 28, \"height\": 28, \"pixels\": [" + "7,".repeat(20_000) + "7]}"; // huge array
            case 4 -> "{\"label\": NaN, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 5 -> "{\"label\": 1, \"width\": Infinity, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 6 -> "{\"label\": -" + (1 + r.nextInt(100)) + ", \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 7 -> "{\"label\": " + (r.nextInt(9) + 0.5) + ", \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 8 -> "{\"label\": 2, \"width\": " + (1 + r.nextInt(27)) + ", \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 9 -> "{\"label\": 2, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels.substring(0, 100) + "%$#junk\"}";
            case 10 -> "";
            case 11 -> "{\"label\": 2, \"width\": 28, \"height\": 28, \"pixels\": [1, 2, 300]}";
            case 12 -> "{\"label\": \"7\", \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 13 -> "{\"label\": 12, \"width\": 28, \"height\": 28, \"pixels\": \"" + pixels + "\"}";
            case 14 -> "\"just a string\"";
            default -> i % 1000 == 15 ? "{\"pad\": \"" + "x".repeat(10 << 20) + "\"}" : "{\"width\": 28, \"height\": 28}"; // 10 MB, or missing pixels
        };
        if (s == null) {
            byte[] b = new byte[r.nextInt(2000)];
            r.nextBytes(b);
            b = b.length > 0 && b[0] == '{' ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
            return b;
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
