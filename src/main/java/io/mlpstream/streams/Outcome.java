package io.mlpstream.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.events.Json;

/**
 * What the statistics need from a labeled prediction: which model, the true label, the predicted one.
 * Unlabeled predictions have no outcome; neither has a record that is not a prediction.
 */
public record Outcome(String model, int label, int predicted) {

    public boolean correct() {
        return label == predicted;
    }

    /** The outcome of one predictions-topic value, or null when it is unlabeled or unreadable. */
    public static Outcome of(String predictionJson) {
        if (predictionJson == null) return null;
        try {
            JsonNode p = Json.mapper().readTree(predictionJson);
            JsonNode label = p.get("label");
            JsonNode predicted = p.get("predicted");
            JsonNode model = p.get("model");
            if (label == null || !label.canConvertToInt() || !label.isIntegralNumber() || label.intValue() < 0
                    || predicted == null || !predicted.isIntegralNumber() || predicted.intValue() < 0
                    || model == null || !model.isTextual()) {
                return null;
            }
            return new Outcome(model.textValue(), label.intValue(), predicted.intValue());
        } catch (Exception e) {
            return null; // the predictions topic is ours; anything else written to it is not counted
        }
    }
}
