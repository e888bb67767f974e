package io.mlpstream.nn;

/**
 * How the weights move: "sgd", "momentum" (optionally Nesterov) or "adam", with L2 weight decay and
 * clipping by global gradient norm (0 = off).
 */
public record OptimizerConfig(String name, float lr, float momentum, boolean nesterov, float weightDecay,
                              float beta1, float beta2, float eps, float clipNorm) {

    public OptimizerConfig {
        if (!name.equals("sgd") && !name.equals("momentum") && !name.equals("adam")) {
            throw new IllegalArgumentException("optimizer must be sgd, momentum or adam, got " + name);
        }
        if (!(lr > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0 || clipNorm < 0) {
            throw new IllegalArgumentException("bad optimizer settings: " + this);
        }
    }

    public static OptimizerConfig sgd(float lr) {
        return new OptimizerConfig("sgd", lr, 0, false, 0, 0.9f, 0.999f, 1e-8f, 0);
    }

    public static OptimizerConfig momentum(float lr, float momentum) {
        return new OptimizerConfig("momentum", lr, momentum, false, 0, 0.9f, 0.999f, 1e-8f, 0);
    }

    public static OptimizerConfig adam(float lr) {
        return new OptimizerConfig("adam", lr, 0, false, 0, 0.9f, 0.999f, 1e-8f, 0);
    }

    public OptimizerConfig withLr(float v) {
        return new OptimizerConfig(name, v, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withMomentum(float v) {
        return new OptimizerConfig(name, lr, v, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withNesterov(boolean v) {
        return new OptimizerConfig(name, lr, momentum, v, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withWeightDecay(float v) {
        return new OptimizerConfig(name, lr, momentum, nesterov, v, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withClipNorm(float v) {
        return new OptimizerConfig(name, lr, momentum, nesterov, weightDecay, beta1, beta2, eps, v);
    }

    public Optimizer create(java.util.List<Parameter> params) {
        return name.equals("adam")
                ? new Adam(params, this)
                : new Sgd(params, this);
    }
}
