package io.mlpstream.events;

/**
 * What the service says about one image, published to the predictions topic (key = id).
 * label, correct and loss are null for an unlabeled image.
 */
public record Prediction(String id, int predicted, float confidence, float[] probabilities, Integer label,
                         Boolean correct, Float loss, String model, long modelStep, long timestamp) {
}
