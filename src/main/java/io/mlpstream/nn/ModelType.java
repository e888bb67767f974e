package io.mlpstream.nn;

/** The two kinds of model: the multi-layer perceptron, and Rosenblatt's perceptron as its baseline. */
public enum ModelType {
    MLP, PERCEPTRON;

    public static ModelType parse(String s) {
        return valueOf(s.trim().toUpperCase());
    }

    public String label() {
        return name().toLowerCase();
    }
}
