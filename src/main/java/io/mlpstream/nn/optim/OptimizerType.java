package io.mlpstream.nn.optim;

/** torch.optim's SGD without momentum, SGD with momentum (optionally Nesterov), and Adam. */
public enum OptimizerType {
    SGD, MOMENTUM, ADAM;

    public static OptimizerType parse(String s) {
        return valueOf(s.trim().toUpperCase());
    }

    public String label() {
        return name().toLowerCase();
    }
}
