package io.mlpstream.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each optimizer against the update rule written out in double precision. */
class OptimizerTest {
    private static final double[] W0 = {0.5, -1.0, 2.0};
    private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {0.05, 0.4, -0.1}, {-0.3, 0.1, 0.2}};

    @Test
    void plainSgdWithWeightDecay() {
        OptimizerConfig c = OptimizerConfig.sgd(0.1f).withWeightDecay(0.01f);
        double[] w = W0.clone();
        for (double[] g : GRADS)
            for (int i = 0; i < 3; i++) w[i] -= 0.1 * (g[i] + 0.01 * w[i]);
        assertWeights(w, run(c));
    }

    @Test
    void momentumAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            OptimizerConfig c = OptimizerConfig.momentum(0.1f, 0.9f).withNesterov(nesterov);
            double[] w = W0.clone(), v = new double[3];
            for (double[] g : GRADS)
                for (int i = 0; i < 3; i++) {
                    v[i] = 0.9 * v[i] + g[i];
                    w[i] -= 0.1 * (nesterov ? g[i] + 0.9 * v[i] : v[i]);
                }
            assertWeights(w, run(c));
        }
    }

    @Test
    void adam() {
        OptimizerConfig c = OptimizerConfig.adam(0.01f);
        double[] w = W0.clone(), m = new double[3], v = new double[3];
        int t = 0;
        for (double[] g : GRADS) {
            t++;
            for (int i = 0; i < 3; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(0.9, t)), vHat = v[i] / (1 - Math.pow(0.999, t));
                w[i] -= 0.01 * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        assertWeights(w, run(c));
    }

    @Test
    void clipsByGlobalNorm() {
        Parameter a = new Parameter("a", new Tensor(1, 2));
        Parameter b = new Parameter("b", new Tensor(1, 1));
        a.grad.load(new float[] {3f, 0f});
        b.grad.load(new float[] {4f});
        double before = ClipGradNorm.clip(List.of(a, b), 1.0);
        assertEquals(5.0, before, 1e-6);
        assertEquals(1.0, ClipGradNorm.globalNorm(List.of(a, b)), 1e-5);
        assertEquals(0.6, a.grad.get(0), 1e-5);
    }

    private static float[] run(OptimizerConfig c) {
        Parameter p = new Parameter("w", new Tensor(1, 3));
        for (int i = 0; i < 3; i++) p.value.set(i, (float) W0[i]);
        Optimizer opt = Optimizer.create(List.of(p), c);
        for (double[] g : GRADS) {
            for (int i = 0; i < 3; i++) p.grad.set(i, (float) g[i]);
            opt.step();
        }
        return p.value.toArray();
    }

    /**
     * A weight that never gets a gradient again: its moments decay toward zero, and must not pass through the subnormal
     * floats, where every operation on them is up to ten times slower on x86 (Subnormals). Adam's second moment takes
     * about 80,000 steps to get there from 1e-3, momentum's buffer about 800 from 1.
     */
    @Test
    void decayingMomentsNeverBecomeSubnormal() {
        for (OptimizerConfig c : List.of(OptimizerConfig.adam(1e-3f), OptimizerConfig.momentum(0.01f, 0.9f))) {
            Parameter p = new Parameter("w", new Tensor(1, 4));
            Optimizer o = Optimizer.create(List.of(p), c);
            p.grad.fill(1f);
            o.step();
            p.grad.fill(0f);
            int subnormal = 0;
            for (int s = 0; s < 120_000; s++) {
                o.step();
                for (Tensor t : o.state()) {
                    for (float x : t.data()) if (x != 0 && Math.abs(x) < Float.MIN_NORMAL) subnormal++;
                }
            }
            assertEquals(0, subnormal, c + ": subnormal moments seen");
            for (Tensor t : o.state()) for (float x : t.data()) assertEquals(true, Math.abs(x) < 1e-27f, c + ": decayed to where rounding holds it (2^-100 / (1 - beta) at most)");
        }
    }

    @Test
    void smallMomentsAreKeptExactly() {
        for (float x : new float[] {1f, 1e-3f, -2.5e-16f, 0x1p-52f, -0x1p-40f * 3}) assertEquals(x, Subnormals.flush(x));
        assertEquals(0f, Math.abs(Subnormals.flush(Float.MIN_NORMAL / 4)));
    }

    private static void assertWeights(double[] expected, float[] actual) {
        for (int i = 0; i < 3; i++) assertEquals(expected[i], actual[i], 1e-5, "w" + i);
    }
}
