package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A stream that changes, through the service: 4,000 digits, then 2,000 whose labels are permuted (label + 1 mod
 * 10). The model's ADWIN says nothing before the change, detects it within 1,000 examples, and with
 * mlp.drift.reaction=reset its optimizer starts afresh; each is a training-events record whose examples say where.
 */
@QuarkusTest
@TestProfile(DriftTest.ResetOnDrift.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class DriftTest {

    public static class ResetOnDrift implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.drift.reaction", "reset");
        }
    }

    @Test
    void aChangeIsDetectedSoonAfterItAndNothingBefore() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        List<ProducerRecord<String, byte[]>> stream = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            int label = labels[i] & 0xFF;
            if (i >= 4000) label = (label + 1) % 10;
            stream.add(new ProducerRecord<>("images", "drift-" + i, ImageEvents.toJson("drift-" + i, label, 28, 28, images.pixels(), i * 784)));
        }
        TestKafka.sendAll(stream);
        TestKafka.predictions("drift-", 6000);

        List<JsonNode> events = new ArrayList<>();
        for (var r : TestKafka.readUntil("training-events", Duration.ofSeconds(5), x -> false)) {
            JsonNode e = Json.mapper().readTree(r.value());
            assertEquals(r.key(), e.get("model").asText(), "key = model");
            events.add(e);
        }
        List<Long> drifts = events.stream().filter(e -> e.get("type").asText().equals("drift")).map(e -> e.get("examples").asLong()).toList();
        List<Long> resets = events.stream().filter(e -> e.get("type").asText().equals("reset")).map(e -> e.get("examples").asLong()).toList();
        List<Long> warnings = events.stream().filter(e -> e.get("type").asText().equals("warning")).map(e -> e.get("examples").asLong()).toList();
        System.out.printf("drift through the service: drifts at %s, resets at %s, warnings at %s%n", drifts, resets, warnings);
        assertTrue(!drifts.isEmpty() && drifts.get(0) >= 4000 && drifts.get(0) < 5000, "a drift within 1,000 of the change: " + drifts);
        assertEquals(drifts, resets, "each drift reset the optimizer (mlp.drift.reaction=reset)");
        assertTrue(io.restassured.RestAssured.get("/q/metrics").asString().contains("mlp_drift_detected_total{model=\"mnist-mlp\"} "
                + drifts.size() + ".0"), "counted in mlp_drift_detected_total");
    }
}
