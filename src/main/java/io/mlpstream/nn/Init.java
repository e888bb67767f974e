package io.mlpstream.nn;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Weight initialisation, drawn from Commons Math distributions so that one seeded generator gives
 * bit-identical weights.
 */
public enum Init {
    /** He/Kaiming normal, std = gain / sqrt(fan_in), zero bias: keeps ReLU activations' variance. */
    HE,
    /** Xavier/Glorot uniform, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), zero bias. */
    XAVIER,
    /** PyTorch's nn.Linear default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias; for comparisons. */
    TORCH;

    public void apply(Linear layer, RandomGenerator rng, Activation activation, float negativeSlope) {
        int fanIn = layer.inFeatures(), fanOut = layer.outFeatures();
        RealDistribution w;
        RealDistribution b = null;
        switch (this) {
            case HE -> {
                double slope = activation == Activation.LEAKY_RELU ? negativeSlope : 0;
                double gain = Math.sqrt(2.0 / (1 + slope * slope));
                w = new NormalDistribution(rng, 0, gain / Math.sqrt(fanIn));
            }
            case XAVIER -> {
                double a = Math.sqrt(6.0 / (fanIn + fanOut));
                w = new UniformRealDistribution(rng, -a, a);
            }
            default -> {
                double bound = 1 / Math.sqrt(fanIn);
                w = new UniformRealDistribution(rng, -bound, bound);
                b = new UniformRealDistribution(rng, -bound, bound);
            }
        }
        fill(layer.weight.value, w);
        if (b == null) {
            layer.bias.value.fill(0f);
        } else {
            fill(layer.bias.value, b);
        }
    }

    private static void fill(Tensor t, RealDistribution d) {
        for (int i = 0, n = t.size(); i < n; i++) {
            t.set(i, (float) d.sample());
        }
    }

    public static Init parse(String s) {
        return valueOf(s.trim().toUpperCase());
    }
}
