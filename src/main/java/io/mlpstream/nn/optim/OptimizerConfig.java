package io.mlpstream.nn.optim;

/**
 * How the weights move, like the arguments of torch.optim.SGD and torch.optim.Adam. Start from
 * {@link #DEFAULT} (or {@link #sgd}, {@link #momentum}, {@link #adam}) and change what differs with
 * the {@code withX} methods.
 */
public record OptimizerConfig(
        OptimizerType type,  // ADAM: the best single-pass accuracy on the stream (README, "Choosing the defaults")
        float lr,            // 0.0015 for Adam at batch 16
        float momentum,      // 0.9 for MOMENTUM; 0 otherwise
        boolean nesterov,    // false: plain momentum, as torch.optim.SGD's default
        float weightDecay,   // 0: L2 added to the gradient, as torch.optim does
        float beta1,         // 0.9, Adam's first-moment decay (Kingma and Ba)
        float beta2,         // 0.999, Adam's second-moment decay
        float eps,           // 1e-8, keeps Adam's denominator away from zero
        float clipNorm) {    // 0 = off; else clip by global gradient norm first

    public static final OptimizerConfig DEFAULT = adam(1.5e-3f);

    public OptimizerConfig {
        if (!(lr > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0 || clipNorm < 0) {
            throw new IllegalArgumentException("bad optimizer settings: lr " + lr + " (> 0), momentum " + momentum
                    + " (in [0, 1)), weight decay " + weightDecay + " (>= 0), clip norm " + clipNorm + " (>= 0)");
        }
    }

    public static OptimizerConfig sgd(float lr) {
        return new OptimizerConfig(OptimizerType.SGD, lr, 0, false, 0, 0.9f, 0.999f, 1e-8f, 0);
    }

    public static OptimizerConfig momentum(float lr, float momentum) {
        return sgd(lr).withType(OptimizerType.MOMENTUM).withMomentum(momentum);
    }

    public static OptimizerConfig adam(float lr) {
        return sgd(lr).withType(OptimizerType.ADAM);
    }

    /** The same settings for another optimizer; momentum is kept only where it means something. */
    public OptimizerConfig withType(OptimizerType v) {
        float mu = v == OptimizerType.MOMENTUM ? (momentum == 0 ? 0.9f : momentum) : 0f;
        return new OptimizerConfig(v, lr, mu, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withLr(float v) {
        return new OptimizerConfig(type, v, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withMomentum(float v) {
        return new OptimizerConfig(type, lr, v, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withNesterov(boolean v) {
        return new OptimizerConfig(type, lr, momentum, v, weightDecay, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withWeightDecay(float v) {
        return new OptimizerConfig(type, lr, momentum, nesterov, v, beta1, beta2, eps, clipNorm);
    }

    public OptimizerConfig withClipNorm(float v) {
        return new OptimizerConfig(type, lr, momentum, nesterov, weightDecay, beta1, beta2, eps, v);
    }

    @Override
    public String toString() {
        return type.label() + "(lr=" + lr + (type == OptimizerType.MOMENTUM ? ", momentum=" + momentum
                + ", nesterov=" + nesterov : "") + (type == OptimizerType.ADAM ? ", betas=(" + beta1 + ", " + beta2
                + "), eps=" + eps : "") + ", weight_decay=" + weightDecay + (clipNorm > 0 ? ", clip_norm=" + clipNorm : "") + ")";
    }
}
