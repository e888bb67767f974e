package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitTest {
    private final ModelConfig relu = ModelConfig.DEFAULT.withDropout(0.2f);

    @Test
    void theSameSeedGivesBitIdenticalWeights() {
        Sequential a = Networks.mlp(relu, Kernels.best());
        Sequential b = Networks.mlp(relu, Kernels.best());
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i).value.toArray(), b.parameters().get(i).value.toArray());
        }
        Sequential c = Networks.mlp(relu.withSeed(43), Kernels.best());
        assertFalse(Arrays.equals(a.parameters().get(0).value.toArray(), c.parameters().get(0).value.toArray()));
    }

    @Test
    void heForReluAndXavierForTanh() {
        Linear first = firstLayer(relu);
        assertEquals(Math.sqrt(2.0 / 784), std(first.weight.value), 0.002);
        assertEquals(0, first.bias.value.norm());

        ModelConfig tanh = ModelConfig.DEFAULT.withActivation(Activation.TANH).withDropout(0f);
        Linear t = firstLayer(tanh);
        // Xavier uniform: variance a^2 / 3 with a = sqrt(6 / (fan_in + fan_out))
        assertEquals(Math.sqrt(2.0 / (784 + 256)), std(t.weight.value), 0.002);
    }

    @Test
    void torchInitMatchesNnLinearBounds() {
        Linear d = firstLayer(relu.withInit(Init.TORCH));
        double bound = 1 / Math.sqrt(784);
        for (float v : d.weight.value.toArray()) assertFalse(Math.abs(v) > bound);
        assertEquals(bound / Math.sqrt(3), std(d.weight.value), 0.002);
        assertFalse(d.bias.value.norm() == 0);
    }

    private static Linear firstLayer(ModelConfig config) {
        return (Linear) Networks.mlp(config, Kernels.best()).modules().get(0);
    }

    private static double std(Tensor t) {
        double s = 0, s2 = 0;
        for (float v : t.toArray()) {
            s += v;
            s2 += v * v;
        }
        double n = t.size();
        return Math.sqrt(s2 / n - (s / n) * (s / n));
    }
}
