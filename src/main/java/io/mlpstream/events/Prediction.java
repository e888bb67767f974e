package io.mlpstream.events;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What the service says about one image, published to the predictions topic (key = id).
 * label, correct and loss are null for an unlabeled image. The statistics read model, label and predicted of every
 * prediction and nothing else: they come first, so that the reader stops before the probabilities.
 */
@JsonPropertyOrder({"id", "model", "label", "predicted"})
public record Prediction(String id, int predicted, float confidence, float[] probabilities, Integer label,
                         Boolean correct, Float loss, String model, long modelStep, long timestamp, long modelVersion) {
    /**
     * The header of a prediction (and of a late example) that carries its input record's timestamp: with the id, what
     * tells a replay of the same record from a new record that reuses the id (a recreated topic's default ids).
     */
    public static final String INPUT_TIMESTAMP = "mlp-input-timestamp";
    /**
     * The header, with no value, of a prediction (or late example) written in the transaction that commits its input
     * offsets (exactly-once): a copy is written only in a transaction that is aborted, so statistics that read
     * committed records count it without looking for copies (docs/contracts.md, "Known limits", says when not).
     */
    public static final String EXACTLY_ONCE = "mlp-exactly-once";
    /**
     * The header, with no value, of the serving model's prediction in the predictions topic while several models run:
     * the same prediction is in model-predictions too, where the statistics count it.
     */
    public static final String COPY = "mlp-copy";

    /**
     * The prediction of a model whose output is log-probabilities: probabilities = e^logProbs, the
     * predicted class is the most probable one, and the loss is -log p(label) when a label is known.
     */
    public static Prediction of(String id, float[] logProbs, Integer label, String model, long modelStep, long timestamp) {
        return of(id, logProbs, label, model, modelStep, modelStep, timestamp);
    }

    /** The same, made by version {@code modelVersion} of a data-parallel model (single mode: the step). */
    public static Prediction of(String id, float[] logProbs, Integer label, String model, long modelStep, long modelVersion,
                                long timestamp) {
        float[] probabilities = new float[logProbs.length];
        int predicted = 0;
        for (int c = 0; c < logProbs.length; c++) {
            probabilities[c] = (float) Math.exp(logProbs[c]);
            if (logProbs[c] > logProbs[predicted]) predicted = c;
        }
        return new Prediction(id, predicted, probabilities[predicted], probabilities, label,
                label == null ? null : label == predicted, label == null ? null : -logProbs[label],
                model, modelStep, timestamp, modelVersion);
    }

    /** The same prediction scored against a label that came later: label, correct and loss as if it had been known. */
    public Prediction scored(int trueLabel) {
        float loss = (float) -Math.log(Math.max(probabilities[trueLabel], Float.MIN_NORMAL));
        return new Prediction(id, predicted, confidence, probabilities, trueLabel, trueLabel == predicted, loss, model,
                modelStep, timestamp, modelVersion);
    }
}
