package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.events.Json;
import io.mlpstream.events.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the statistics read of a prediction: model, label and predicted, in whatever order a writer put them. */
class OutcomeTest {
    private static final float[] LOG_PROBS = {-5f, -4f, -0.1f, -6f, -7f, -8f, -9f, -3f, -4f, -5f};

    @Test
    void theServiceWritesWhatTheStatisticsReadFirst() throws Exception {
        byte[] json = Json.mapper().writeValueAsBytes(Prediction.of("img-1", LOG_PROBS, 7, "mnist-mlp", 12, 1000));
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"id\":\"img-1\",\"model\":\"mnist-mlp\",\"label\":7,\"predicted\":2,"), text);
        assertEquals(new Outcome("mnist-mlp", 7, 2), Outcome.of(json));
        assertNull(Outcome.of(Json.mapper().writeValueAsBytes(Prediction.of("img-2", LOG_PROBS, null, "mnist-mlp", 12, 1000))),
                "an unlabeled prediction has no outcome");
    }

    @Test
    void anyOrderReads() {
        String json = "{\"id\":\"x\",\"probabilities\":[0.1,0.9],\"predicted\":1,\"confidence\":0.9,\"model\":\"m\",\"loss\":0.1,\"label\":0}";
        assertEquals(new Outcome("m", 0, 1), Outcome.of(json.getBytes(StandardCharsets.UTF_8)));
        assertNull(Outcome.of("{\"model\":\"m\",\"label\":0}".getBytes(StandardCharsets.UTF_8)), "no prediction");
        assertNull(Outcome.of("[1,2]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLateExampleReadsEveryModelsPrediction() {
        String late = "{\"id\":\"x\",\"label\":3,\"predictions\":[{\"model\":\"a\",\"label\":3,\"predicted\":3,\"probabilities\":[1]},"
                + "{\"probabilities\":[1],\"model\":\"b\",\"label\":3,\"predicted\":1,\"loss\":2.0}],\"timestamp\":5}";
        assertEquals(List.of(new Outcome("a", 3, 3), new Outcome("b", 3, 1)),
                Outcome.ofLateExample(late.getBytes(StandardCharsets.UTF_8)));
    }
}
