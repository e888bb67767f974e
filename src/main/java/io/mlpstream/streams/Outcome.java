package io.mlpstream.streams;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the statistics need from a labeled prediction: which model, the true label, the predicted one.
 * Unlabeled predictions have no outcome; neither has a record that is not a prediction.
 */
public record Outcome(String model, int label, int predicted) {
    /** Plain, not the contracts' strict reader: the predictions topic is ours, and duplicate-key checks cost. */
    private static final JsonFactory JSON = new JsonFactory();

    public boolean correct() {
        return label == predicted;
    }

    /** The outcome of one predictions-topic value, or null when it is unlabeled or unreadable. */
    public static Outcome of(byte[] predictionJson) {
        if (predictionJson == null) return null;
        // a streaming read of three fields: every prediction passes here. The service writes them first (Prediction's
        // property order), so the read stops before the probabilities, most of the record
        try (JsonParser p = JSON.createParser(predictionJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            return read(p, false);
        } catch (Exception e) {
            return null; // the predictions topic is ours; anything else written to it is not counted
        }
    }

    /**
     * Reads one prediction object, its START_OBJECT just read: to its END_OBJECT ({@code whole}, inside a late example's
     * array), else only until model, label and predicted are read.
     */
    private static Outcome read(JsonParser p, boolean whole) throws IOException {
        String model = null;
        int label = -1, predicted = -1, found = 0;
        while ((whole || found < 3) && p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "label" -> label = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                case "predicted" -> predicted = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                default -> {
                    p.skipChildren();
                    continue;
                }
            }
            found++;
        }
        return model == null || label < 0 || predicted < 0 ? null : new Outcome(model, label, predicted);
    }

    /** The outcomes of a late-examples value: one per model's prediction made on arrival, scored by the later label. */
    public static List<Outcome> ofLateExample(byte[] lateExampleJson) {
        if (lateExampleJson == null) return List.of();
        List<Outcome> outcomes = new ArrayList<>();
        try (JsonParser p = JSON.createParser(lateExampleJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return outcomes;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("predictions") || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Outcome o = read(p, true);
                    if (o != null) outcomes.add(o);
                }
            }
            return outcomes;
        } catch (Exception e) {
            return List.of(); // our own topic; anything else written to it is not counted
        }
    }
}
