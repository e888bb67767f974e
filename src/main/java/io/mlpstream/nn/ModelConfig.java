package io.mlpstream.nn;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything that fixes the shape and the starting point of a model, like nanoGPT's GPTConfig. Two
 * models built from equal configs are bit-identical. Start from {@link #DEFAULT} and change what
 * differs with the {@code withX} methods.
 */
public record ModelConfig(
        ModelType type,       // MLP; PERCEPTRON is the classic baseline the MLP must beat
        int inputSize,        // 784 = 28 x 28 pixels
        List<Integer> hidden, // 256,128: the classic MNIST MLP (ignored by the perceptron)
        int classes,          // 10 digits
        Activation activation, // ReLU with He init: no vanishing gradient through the hidden layers
        float negativeSlope,  // 0.01, LeakyReLU's slope for x < 0, as PyTorch's default
        float dropout,        // 0.1: 0.2 cost 0.3 points of single-pass accuracy (README, "Choosing the defaults")
        Init init,            // null: the activation's natural choice (He or Xavier)
        long seed) {          // 42: same seed, same weights

    public static final ModelConfig DEFAULT =
            new ModelConfig(ModelType.MLP, 784, List.of(256, 128), 10, Activation.RELU, 0.01f, 0.1f, null, 42);

    public ModelConfig {
        if (inputSize <= 0 || classes < 2) {
            throw new IllegalArgumentException("inputSize must be > 0 and classes >= 2, got " + inputSize + " and " + classes);
        }
        hidden = List.copyOf(hidden);
        if (hidden.stream().anyMatch(h -> h <= 0)) {
            throw new IllegalArgumentException("hidden sizes must be positive: " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout probability has to be in [0, 1), but got " + dropout);
        }
    }

    public Init effectiveInit() {
        return init != null ? init : activation.defaultInit();
    }

    public ModelConfig withType(ModelType v) {
        return new ModelConfig(v, inputSize, hidden, classes, activation, negativeSlope, dropout, init, seed);
    }

    public ModelConfig withInputSize(int v) {
        return new ModelConfig(type, v, hidden, classes, activation, negativeSlope, dropout, init, seed);
    }

    public ModelConfig withHidden(List<Integer> v) {
        return new ModelConfig(type, inputSize, v, classes, activation, negativeSlope, dropout, init, seed);
    }

    public ModelConfig withClasses(int v) {
        return new ModelConfig(type, inputSize, hidden, v, activation, negativeSlope, dropout, init, seed);
    }

    public ModelConfig withActivation(Activation v) {
        return new ModelConfig(type, inputSize, hidden, classes, v, negativeSlope, dropout, init, seed);
    }

    public ModelConfig withNegativeSlope(float v) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, v, dropout, init, seed);
    }

    public ModelConfig withDropout(float v) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, negativeSlope, v, init, seed);
    }

    public ModelConfig withInit(Init v) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, negativeSlope, dropout, v, seed);
    }

    public ModelConfig withSeed(long v) {
        return new ModelConfig(type, inputSize, hidden, classes, activation, negativeSlope, dropout, init, v);
    }

    /** Same layers and activation (the weights of one fit the other); dropout, init and seed may differ. */
    public boolean sameArchitecture(ModelConfig o) {
        return type == o.type && inputSize == o.inputSize && classes == o.classes
                && (type == ModelType.PERCEPTRON || hidden.equals(o.hidden) && activation == o.activation);
    }

    /** "784-256-128-10 relu" or "784-10 perceptron": what operators see. */
    public String architecture() {
        String sizes = inputSize + (hidden.isEmpty() || type == ModelType.PERCEPTRON ? ""
                : "-" + hidden.stream().map(String::valueOf).collect(Collectors.joining("-"))) + "-" + classes;
        return type == ModelType.PERCEPTRON ? sizes + " perceptron" : sizes + " " + activation.label();
    }
}
