package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each layer's backward pass against central finite differences of a double-precision reference of
 * its forward pass, the way micrograd checks itself. The loss is L = sum(G * f(x)) for a random G, so
 * dL/dy = G and dL/dx is what backward must return.
 */
class GradientCheckTest {
    private static final double H = 1e-6;
    private final Random random = new Random(7);

    @Test
    void relu() {
        checkElementwise(new ReLU(), v -> Math.max(0, v));
    }

    @Test
    void leakyRelu() {
        checkElementwise(new LeakyReLU(0.1f), v -> v > 0 ? v : 0.1 * v);
    }

    @Test
    void sigmoid() {
        checkElementwise(new Sigmoid(), v -> 1 / (1 + Math.exp(-v)));
    }

    @Test
    void tanh() {
        checkElementwise(new Tanh(), Math::tanh);
    }

    @Test
    void logSoftmax() {
        Tensor x = randomTensor(3, 5, 3);
        check(new LogSoftmax(), x, in -> {
            double[] out = new double[in.length];
            for (int r = 0; r < 3; r++) {
                double sum = 0;
                for (int c = 0; c < 5; c++) sum += Math.exp(in[r * 5 + c]);
                for (int c = 0; c < 5; c++) out[r * 5 + c] = in[r * 5 + c] - Math.log(sum);
            }
            return out;
        });
    }

    @Test
    void dropoutWithItsMask() {
        Dropout d = new Dropout(0.5f, 1);
        Tensor x = randomTensor(4, 6, 1);
        d.forward(x);
        float[] mask = d.mask().toArray();
        // with the mask fixed, dropout is y = x * mask
        Tensor g = randomTensor(4, 6, 1);
        Tensor dx = d.backward(g);
        for (int i = 0; i < x.size(); i++) {
            assertEquals(g.get(i) * mask[i], dx.get(i), 1e-6);
        }
    }

    @Test
    void linear() {
        int in = 5, out = 4, rows = 3;
        Linear layer = new Linear(in, out, Kernels.best());
        fillRandom(layer.weight.value, 1);
        fillRandom(layer.bias.value, 1);
        Tensor x = randomTensor(rows, in, 1);
        Tensor g = randomTensor(rows, out, 1);
        layer.forward(x);
        Tensor dx = layer.backward(g).copy();

        double[] w = toDouble(layer.weight.value), b = toDouble(layer.bias.value), xd = toDouble(x), gd = toDouble(g);
        Function<double[][], Double> loss = p -> {
            double s = 0;
            for (int r = 0; r < rows; r++)
                for (int o = 0; o < out; o++) {
                    double y = p[2][o];
                    for (int i = 0; i < in; i++) y += p[0][r * in + i] * p[1][o * in + i];
                    s += gd[r * out + o] * y;
                }
            return s;
        };
        double[][] params = {xd, w, b};
        assertClose(numericGrad(params, 0, loss), dx, "dL/dx");
        assertClose(numericGrad(params, 1, loss), layer.weight.grad, "dL/dW");
        assertClose(numericGrad(params, 2, loss), layer.bias.grad, "dL/db");
    }

    @Test
    void nllLoss() {
        Tensor logProbs = new LogSoftmax().forward(randomTensor(4, 3, 2)).copy();
        int[] labels = {0, 2, 1, 2};
        NllLoss nll = new NllLoss();
        double expected = 0;
        for (int r = 0; r < 4; r++) expected -= logProbs.get(r, labels[r]);
        assertEquals(expected / 4, nll.forward(logProbs, labels), 1e-6);
        Tensor grad = nll.backward(logProbs, labels);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 3; c++)
                assertEquals(c == labels[r] ? -0.25 : 0, grad.get(r, c), 1e-7);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor logits = Tensor.of(2, 3, 1000f, -1000f, 0f, 5e4f, 5e4f, -5e4f);
        Tensor logProbs = new LogSoftmax().forward(logits);
        float loss = new NllLoss().forward(logProbs, new int[] {0, 1});
        assertTrue(Float.isFinite(loss), "loss " + loss);
        assertEquals(Math.log(2) / 2, loss, 4e-3); // float32 spacing near 5e4 is 0.004
    }

    private void checkElementwise(Module m, DoubleUnaryOperator f) {
        Tensor x = randomTensor(3, 7, 2);
        // keep inputs away from ReLU's kink, where the derivative is undefined
        for (int i = 0; i < x.size(); i++) if (Math.abs(x.get(i)) < 0.05f) x.set(i, 0.3f);
        check(m, x, in -> {
            double[] out = new double[in.length];
            for (int i = 0; i < in.length; i++) out[i] = f.applyAsDouble(in[i]);
            return out;
        });
    }

    private void check(Module m, Tensor x, Function<double[], double[]> reference) {
        Tensor g = randomTensor(x.rows(), x.cols(), 1);
        Tensor y = m.forward(x);
        double[] yRef = reference.apply(toDouble(x));
        for (int i = 0; i < y.size(); i++) assertEquals(yRef[i], y.get(i), 1e-5 * (1 + Math.abs(yRef[i])), "forward " + i);
        Tensor dx = m.backward(g);
        double[] gd = toDouble(g);
        double[][] params = {toDouble(x)};
        double[] numeric = numericGrad(params, 0, p -> {
            double[] out = reference.apply(p[0]);
            double s = 0;
            for (int i = 0; i < out.length; i++) s += gd[i] * out[i];
            return s;
        });
        assertClose(numeric, dx, m.toString());
    }

    private static double[] numericGrad(double[][] params, int which, Function<double[][], Double> loss) {
        double[] p = params[which];
        double[] grad = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double old = p[i];
            p[i] = old + H;
            double plus = loss.apply(params);
            p[i] = old - H;
            double minus = loss.apply(params);
            p[i] = old;
            grad[i] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    private static void assertClose(double[] expected, Tensor actual, String what) {
        assertEquals(expected.length, actual.size(), what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), 1e-4 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    private Tensor randomTensor(int rows, int cols, double scale) {
        Tensor t = new Tensor(rows, cols);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (random.nextGaussian() * scale));
        return t;
    }

    private void fillRandom(Tensor t, double scale) {
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (random.nextGaussian() * scale));
    }

    private static double[] toDouble(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = t.get(i);
        return d;
    }
}
