package io.mlpstream.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The multi-layer perceptron:
 * x -> [Dense -> activation -> Dropout] x hidden -> Dense -> LogSoftmax, trained with NLL loss.
 */
public final class Mlp implements Model {
    private final Lock alone = new ReentrantLock(); // never contended: the model used by itself

    private final ModelConfig config;
    private final List<Module> layers;
    private final List<Dense> dense = new ArrayList<>();
    private final List<Elementwise> activations = new ArrayList<>();
    private final List<Dropout> dropouts = new ArrayList<>();
    private final LogSoftmax logSoftmax = new LogSoftmax();
    private final NllLoss nll = new NllLoss();
    private final List<Parameter> parameters = new ArrayList<>();
    private final Optimizer optimizer;
    private final StepStats stats = new StepStats();
    private long step;

    public static Mlp create(ModelConfig config, OptimizerConfig opt, Kernels kernels) {
        List<Module> layers = new ArrayList<>();
        RandomGenerator rng = new Well19937c(config.seed());
        int in = config.inputSize();
        List<Integer> sizes = new ArrayList<>(config.hidden());
        sizes.add(config.classes());
        for (int i = 0; i < sizes.size(); i++) {
            Dense d = new Dense(in, sizes.get(i), i > 0, kernels);
            config.effectiveInit().apply(d, rng, config.activation(), config.leakySlope());
            layers.add(d);
            if (i < sizes.size() - 1) {
                layers.add(config.activation().create(config.leakySlope()));
                layers.add(new Dropout(config.dropout(), rng.nextLong()));
            }
            in = sizes.get(i);
        }
        return new Mlp(config, layers, opt);
    }

    private Mlp(ModelConfig config, List<Module> layers, OptimizerConfig opt) {
        this.config = config;
        this.layers = layers;
        for (Module m : layers) {
            if (m instanceof Dense d) {
                dense.add(d);
                parameters.addAll(d.parameters());
                stats.layers.add(new StepStats.LayerStats("dense" + dense.size()));
            } else if (m instanceof Elementwise a) {
                activations.add(a);
            } else if (m instanceof Dropout d) {
                dropouts.add(d);
            }
        }
        this.optimizer = opt == null ? null : opt.create(parameters);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) {
            x = m.forward(x);
        }
        return logSoftmax.forward(x);
    }

    public void train(boolean training) {
        for (Module m : layers) {
            m.train(training);
        }
    }

    @Override
    public StepStats trainStep(Tensor x, int[] labels) {
        return trainStep(x, labels, alone);
    }

    /** Forward and backward only read the weights (and write this model's own buffers and gradients),
     * so {@code update} is held just for the optimizer's step. */
    @Override
    public StepStats trainStep(Tensor x, int[] labels, Lock update) {
        zeroGrad();
        train(true);
        Tensor logProbs = forward(x);
        float loss = nll.forward(logProbs, labels);
        Tensor grad = logSoftmax.backward(nll.backward(logProbs, labels));
        for (int i = layers.size() - 1; i >= 0 && grad != null; i--) {
            grad = layers.get(i).backward(grad);
        }
        recordStats(logProbs, labels, loss);
        double clipTo = optimizer.config().clipNorm();
        if (clipTo > 0) {
            Optimizer.clipGradNorm(parameters, clipTo);
        }
        stats.skipped = !Float.isFinite(loss) || !Double.isFinite(stats.gradientNorm);
        if (!stats.skipped) {
            update.lock();
            try {
                optimizer.step();
                step++;
            } finally {
                update.unlock();
            }
        }
        return stats;
    }

    private void zeroGrad() {
        for (Parameter p : parameters) {
            p.grad.fill(0f);
        }
    }

    private void recordStats(Tensor logProbs, int[] labels, float loss) {
        int n = logProbs.rows(), correct = 0;
        for (int i = 0; i < n; i++) {
            if (Model.argmax(logProbs, i) == labels[i]) correct++;
        }
        stats.batchSize = n;
        stats.loss = loss;
        stats.batchAccuracy = (float) correct / n;
        double sumSquares = 0;
        for (int i = 0; i < dense.size(); i++) {
            Dense d = dense.get(i);
            StepStats.LayerStats l = stats.layers.get(i);
            l.weightGradNorm = d.kernels().norm(d.weight.grad);
            l.biasGradNorm = d.bias.grad.norm();
            l.weightNorm = d.kernels().norm(d.weight.value);
            l.deadFraction = i < activations.size() ? activations.get(i).deadFraction() : 0;
            sumSquares += l.weightGradNorm * l.weightGradNorm + l.biasGradNorm * l.biasGradNorm;
        }
        stats.gradientNorm = Math.sqrt(sumSquares);
    }

    /** The current dropout probability (it may have changed at run time). */
    public float dropout() {
        return dropouts.isEmpty() ? config.dropout() : dropouts.get(0).p();
    }

    /** Changes dropout's p from the next step; the architecture is unchanged. */
    public void setDropout(float p) {
        for (Dropout d : dropouts) {
            d.setP(p);
        }
    }

    @Override
    public Mlp inferenceReplica() {
        List<Module> copies = new ArrayList<>();
        for (Module m : layers) {
            copies.add(m.replica());
        }
        Mlp replica = new Mlp(config, copies, null);
        replica.train(false);
        return replica;
    }

    public List<Dense> denseLayers() {
        return dense;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public void setStep(long step) {
        this.step = step;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Mlp(\n");
        for (Module m : layers) s.append("  ").append(m).append('\n');
        return s.append("  ").append(logSoftmax).append("\n)").toString();
    }
}
