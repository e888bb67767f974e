package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlpstream.learn.Learner;
import io.mlpstream.learn.WeightUpdate;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * A whole forward and backward pass of the MLP against a straightforward double-precision
 * implementation written with Commons Math matrices. The reference shares no code with nn: it
 * only reads the starting weights.
 */
class ReferenceMlpTest {

    @Test
    void reluNetworkMatchesTheReference() {
        compare(Activation.RELU, OptimizerConfig.sgd(0.1f));
    }

    @Test
    void tanhNetworkMatchesTheReference() {
        compare(Activation.TANH, OptimizerConfig.sgd(0.1f));
    }

    @Test
    void sigmoidNetworkMatchesTheReference() {
        compare(Activation.SIGMOID, OptimizerConfig.sgd(0.1f));
    }

    @Test
    void momentumStepMatchesTheReference() {
        compare(Activation.LEAKY_RELU, OptimizerConfig.momentum(0.1f, 0.9f));
    }

    private void compare(Activation activation, OptimizerConfig opt) {
        int in = 12, h1 = 9, h2 = 7, classes = 4, batch = 5;
        ModelConfig config = new ModelConfig(ModelType.MLP, in, List.of(h1, h2), classes, activation, 0.05f, 0f, null, 3);
        Learner mlp = Learner.create(config, opt, Kernels.best());
        Random r = new Random(11);
        Tensor x = new Tensor(batch, in);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
        int[] labels = {0, 3, 1, 2, 3};

        List<Linear> dense = mlp.network().modules().stream().filter(Linear.class::isInstance).map(Linear.class::cast).toList();
        RealMatrix[] w = new RealMatrix[3];
        RealMatrix[] b = new RealMatrix[3];
        for (int l = 0; l < 3; l++) {
            w[l] = toMatrix(dense.get(l).weight.value);
            b[l] = toMatrix(dense.get(l).bias.value);
        }
        // two steps, so that the momentum buffer is exercised
        for (int step = 0; step < 2; step++) {
            float loss = mlp.rule().step(x, labels, WeightUpdate.DIRECT).loss;
            Reference ref = new Reference(activation, 0.05);
            double refLoss = ref.lossAndGradients(toMatrix(x), labels, w, b);
            assertEquals(refLoss, loss, 1e-5, "loss at step " + step);
            for (int l = 0; l < 3; l++) {
                assertMatrix(ref.dW[l], dense.get(l).weight.grad, "dW" + l + " step " + step);
                assertMatrix(ref.db[l], dense.get(l).bias.grad, "db" + l + " step " + step);
            }
            ref.sgdStep(w, b, opt, step);
            for (int l = 0; l < 3; l++) {
                assertMatrix(w[l], dense.get(l).weight.value, "W" + l + " after step " + step);
            }
        }
    }

    /** The textbook equations, in double precision, with Commons Math. */
    private static final class Reference {
        final Activation activation;
        final double slope;
        RealMatrix[] dW = new RealMatrix[3];
        RealMatrix[] db = new RealMatrix[3];
        static RealMatrix[] vW;
        static RealMatrix[] vb;

        Reference(Activation activation, double slope) {
            this.activation = activation;
            this.slope = slope;
        }

        double f(double z) {
            return switch (activation) {
                case RELU -> Math.max(0, z);
                case LEAKY_RELU -> z > 0 ? z : slope * z;
                case SIGMOID -> 1 / (1 + Math.exp(-z));
                case TANH -> Math.tanh(z);
            };
        }

        double fPrime(double z) {
            return switch (activation) {
                case RELU -> z > 0 ? 1 : 0;
                case LEAKY_RELU -> z > 0 ? 1 : slope;
                case SIGMOID -> f(z) * (1 - f(z));
                case TANH -> 1 - Math.tanh(z) * Math.tanh(z);
            };
        }

        double lossAndGradients(RealMatrix x, int[] labels, RealMatrix[] w, RealMatrix[] b) {
            int n = x.getRowDimension();
            RealMatrix[] a = new RealMatrix[4]; // a[0] = x, a[l+1] = layer l's output
            RealMatrix[] z = new RealMatrix[3];
            a[0] = x;
            for (int l = 0; l < 3; l++) {
                z[l] = a[l].multiply(w[l].transpose()).add(ones(n).multiply(b[l]));
                a[l + 1] = l < 2 ? map(z[l], this::f) : z[l];
            }
            RealMatrix logits = a[3];
            int classes = logits.getColumnDimension();
            RealMatrix softmax = MatrixUtils.createRealMatrix(n, classes);
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits.getEntry(i, c));
                for (int c = 0; c < classes; c++) sum += Math.exp(logits.getEntry(i, c) - max);
                for (int c = 0; c < classes; c++) softmax.setEntry(i, c, Math.exp(logits.getEntry(i, c) - max) / sum);
                loss -= Math.log(softmax.getEntry(i, labels[i]));
            }
            // d loss / d logits = (softmax - onehot) / n
            RealMatrix delta = softmax.copy();
            for (int i = 0; i < n; i++) delta.addToEntry(i, labels[i], -1);
            delta = delta.scalarMultiply(1.0 / n);
            for (int l = 2; l >= 0; l--) {
                dW[l] = delta.transpose().multiply(a[l]);
                db[l] = MatrixUtils.createRowRealMatrix(ones(n).transpose().multiply(delta).getRow(0));
                if (l > 0) {
                    RealMatrix back = delta.multiply(w[l]);
                    RealMatrix zPrev = z[l - 1];
                    for (int i = 0; i < back.getRowDimension(); i++)
                        for (int j = 0; j < back.getColumnDimension(); j++)
                            back.multiplyEntry(i, j, fPrime(zPrev.getEntry(i, j)));
                    delta = back;
                }
            }
            return loss / n;
        }

        void sgdStep(RealMatrix[] w, RealMatrix[] b, OptimizerConfig opt, int step) {
            if (step == 0) {
                vW = new RealMatrix[3];
                vb = new RealMatrix[3];
            }
            for (int l = 0; l < 3; l++) {
                RealMatrix gW = dW[l], gb = db[l];
                if (opt.momentum() > 0) {
                    vW[l] = step == 0 ? gW : vW[l].scalarMultiply(opt.momentum()).add(gW);
                    vb[l] = step == 0 ? gb : vb[l].scalarMultiply(opt.momentum()).add(gb);
                    gW = vW[l];
                    gb = vb[l];
                }
                w[l] = w[l].subtract(gW.scalarMultiply(opt.lr()));
                b[l] = b[l].subtract(gb.scalarMultiply(opt.lr()));
            }
        }

        private static RealMatrix ones(int n) {
            RealMatrix m = MatrixUtils.createRealMatrix(n, 1);
            for (int i = 0; i < n; i++) m.setEntry(i, 0, 1);
            return m;
        }

        private static RealMatrix map(RealMatrix m, DoubleUnaryOperator f) {
            RealMatrix out = m.copy();
            for (int i = 0; i < m.getRowDimension(); i++)
                for (int j = 0; j < m.getColumnDimension(); j++) out.setEntry(i, j, f.applyAsDouble(m.getEntry(i, j)));
            return out;
        }
    }

    private static RealMatrix toMatrix(Tensor t) {
        RealMatrix m = MatrixUtils.createRealMatrix(t.rows(), t.cols());
        for (int i = 0; i < t.rows(); i++)
            for (int j = 0; j < t.cols(); j++) m.setEntry(i, j, t.get(i, j));
        return m;
    }

    private static void assertMatrix(RealMatrix expected, Tensor actual, String what) {
        assertEquals(expected.getRowDimension(), actual.rows(), what + " rows");
        assertEquals(expected.getColumnDimension(), actual.cols(), what + " cols");
        for (int i = 0; i < actual.rows(); i++)
            for (int j = 0; j < actual.cols(); j++) {
                double e = expected.getEntry(i, j);
                assertEquals(e, actual.get(i, j), 1e-5 + 1e-4 * Math.abs(e), what + " (" + i + "," + j + ")");
            }
    }
}
