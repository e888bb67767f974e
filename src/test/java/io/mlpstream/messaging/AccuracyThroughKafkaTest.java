package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A fresh service with the default model learns the first 3,000 bundled digits through Kafka. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class AccuracyThroughKafkaTest {

    @Test
    void prequentialAccuracyOnTheFirst3000DigitsIsAtLeast80Percent() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Produce.send(TestKafka.bootstrap(), "images", images, labels, 3000, 0, "acc-", false);

        List<JsonNode> predictions = TestKafka.predictions("acc-", 3000);
        Set<String> ids = new HashSet<>();
        int correct = 0;
        for (JsonNode p : predictions) {
            if (ids.add(p.get("id").asText()) && p.get("correct").asBoolean()) correct++;
        }
        assertEquals(3000, ids.size());
        double accuracy = correct / 3000.0;
        System.out.printf("prequential accuracy through Kafka, first 3,000 digits: %.4f%n", accuracy);
        assertTrue(accuracy >= 0.80, "accuracy " + accuracy);
    }
}
