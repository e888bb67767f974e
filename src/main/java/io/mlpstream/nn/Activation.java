package io.mlpstream.nn;

/**
 * The element-wise non-linearities, each a {@link Module}. Each names the weight initialisation
 * that keeps the variance of activations steady through it.
 */
public enum Activation {
    SIGMOID, TANH, RELU, LEAKY_RELU;

    public Module create(float negativeSlope) {
        return switch (this) {
            case SIGMOID -> new Sigmoid();
            case TANH -> new Tanh();
            case RELU -> new ReLU();
            case LEAKY_RELU -> new LeakyReLU(negativeSlope);
        };
    }

    /** He for the ReLU family, Xavier/Glorot for the saturating ones. */
    public Init defaultInit() {
        return this == RELU || this == LEAKY_RELU ? Init.HE : Init.XAVIER;
    }

    public static Activation parse(String s) {
        String n = s.trim().toUpperCase().replace('-', '_');
        return switch (n) {
            case "LEAKYRELU", "LEAKY" -> LEAKY_RELU;
            default -> valueOf(n);
        };
    }

    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
