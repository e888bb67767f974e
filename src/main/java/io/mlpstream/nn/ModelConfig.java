package io.mlpstream.nn;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything that fixes the shape and the starting point of a model. Two models built from equal
 * configs are bit-identical.
 *
 * @param type       "mlp", or "perceptron" for the classic baseline
 * @param inputSize  784 for 28x28 images
 * @param hidden     sizes of the hidden layers, e.g. [256, 128]
 * @param init       null means the activation's natural choice (He or Xavier)
 */
public record ModelConfig(String type, int inputSize, List<Integer> hidden, int classes,
                          Activation activation, float leakySlope, float dropout, Init init, long seed) {

    public ModelConfig {
        if (!type.equals("mlp") && !type.equals("perceptron")) {
            throw new IllegalArgumentException("model type must be mlp or perceptron, got " + type);
        }
        if (inputSize <= 0 || classes < 2) {
            throw new IllegalArgumentException("inputSize must be > 0 and classes >= 2");
        }
        hidden = List.copyOf(hidden);
        if (hidden.stream().anyMatch(h -> h <= 0)) {
            throw new IllegalArgumentException("hidden sizes must be positive: " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    public static ModelConfig mlp(List<Integer> hidden, Activation activation, float dropout) {
        return new ModelConfig("mlp", 784, hidden, 10, activation, 0.01f, dropout, null, 42);
    }

    public Init effectiveInit() {
        return init != null ? init : activation.defaultInit();
    }

    public ModelConfig withSeed(long s) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, leakySlope, dropout, init, s);
    }

    public ModelConfig withInit(Init i) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, leakySlope, dropout, i, seed);
    }

    public ModelConfig withDropout(float p) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, leakySlope, p, init, seed);
    }

    /** "784-256-128-10 relu" or "784-10 perceptron": what operators see. */
    public String architecture() {
        String sizes = inputSize + (hidden.isEmpty() || type.equals("perceptron") ? ""
                : "-" + hidden.stream().map(String::valueOf).collect(Collectors.joining("-"))) + "-" + classes;
        return type.equals("perceptron") ? sizes + " perceptron" : sizes + " " + activation.label();
    }
}
