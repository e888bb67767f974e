package io.mlpstream.service;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code mlp.lab=true}: the lessons of the perceptron's lineage, side by side on one stream. Each model
 * differs from the default MLP ({@code relu}) in one thing, so that each comparison shows one lesson.
 */
public final class LabPreset {
    /** The model that serves in the lab unless mlp.serving-model says otherwise: the default MLP. */
    public static final String SERVING = "relu";

    public static final Map<String, Map<String, String>> KEYS = new TreeMap<>(Map.of(
            // the baseline: a step function and the perceptron rule; the MLP must beat it
            "perceptron", Map.of("type", "perceptron"),
            // the default MLP: ReLU, He init, inverted dropout 0.1, Adam
            "relu", Map.of(),
            // what dropout costs or buys on a single pass
            "relu-no-dropout", Map.of("dropout", "0"),
            // the classic smooth activation, zero-centred, with Xavier init
            "tanh", Map.of("activation", "tanh"),
            // five sigmoid layers and plain SGD, as the textbook trained them: each layer multiplies the gradient
            // by at most 0.25 on its way back, so the first layer's gradient is hundreds of times below relu's and
            // the network barely learns (LabPresetTest). Adam's per-weight scaling would hide the lesson: with it
            // the same network escapes after a few hundred steps.
            "sigmoid-deep", Map.of("activation", "sigmoid", "hidden", "128,128,128,128,128", "optimizer", "sgd", "lr", "0.1")));

    private LabPreset() {
    }
}
