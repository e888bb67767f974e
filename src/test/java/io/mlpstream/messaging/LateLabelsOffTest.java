package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Metrics;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Review section B (#15): {@code mlp.labels.max-pending=0} turns labels that come later off. Unlabeled images are
 * predicted and not kept (nothing on the pending-labels changelog), and every label goes to labels-dlq as
 * unknown-id; nothing is learned from them.
 */
@QuarkusTest
@TestProfile(LateLabelsOffTest.Off.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class LateLabelsOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.labels.max-pending", "0", "mlp.topics.partitions", "2");
        }
    }

    @Test
    void everyLabelIsDeadLetteredAndNothingWaits() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Map<String, Long> before = ModelsApi.trained();
        List<ProducerRecord<String, byte[]>> unlabeled = new ArrayList<>(), late = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            unlabeled.add(new ProducerRecord<>("images", "off-" + i, ImageEvents.toJson("off-" + i, null, 28, 28, images.pixels(), i * 784)));
            late.add(TestKafka.record("labels", "off-" + i, "{\"id\": \"off-" + i + "\", \"label\": " + (labels[i] & 0xFF) + "}"));
        }
        TestKafka.sendAll(unlabeled);
        assertEquals(20, TestKafka.predictions("off-", 20).size(), "each image predicted");
        TestKafka.sendAll(late);

        var dlq = TestKafka.readUntil("labels-dlq", Duration.ofSeconds(30), r -> r.size() >= 20);
        Map<String, Integer> reasons = new HashMap<>();
        for (var r : dlq) reasons.merge(TestKafka.header(r, "dlq-reason"), 1, Integer::sum);
        assertEquals(Map.of("unknown-id", 20), reasons, "every label, dead-lettered as unknown-id");
        assertEquals(before, ModelsApi.trained(), "nothing learned from them");
        String changelog = ConfigProvider.getConfig().getValue("mlp.topics.pending-labels", String.class);
        assertEquals(0, TestKafka.readUntil(changelog, Duration.ofSeconds(3), r -> !r.isEmpty()).size(), "no changelog writes");
        assertEquals(0, Metrics.globalRegistry.get("mlp_labels_pending_images").gauge().value(), "no image kept");
    }
}
