package io.mlpstream.learn;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.NllLoss;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.ClipGradNorm;
import io.mlpstream.nn.optim.Optimizer;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;

/**
 * One step of gradient descent on a mini-batch, in the order of PyTorch's MNIST example and nanoGPT's
 * train.py: zero grad, forward, loss, backward, clip, optimizer step. The network computes; this
 * class trains it.
 */
public final class GradientStep implements LearningRule {
    /**
     * The update:parameter ratio costs a copy of the weights and a pass over them: measured every 16 steps (~1%),
     * as is the weights' norm.
     */
    public static final int UPDATE_RATIO_EVERY = 16;
    private final Sequential model;
    private final NllLoss criterion = new NllLoss();
    private final Optimizer optimizer;
    private final Runnable optimizerStep; // made once: the step must not allocate
    private final List<LayerWatch> watches;
    private final StepStats stats = new StepStats();
    private long steps;

    public GradientStep(Sequential model, OptimizerConfig config, Kernels kernels) {
        this.model = model;
        this.optimizer = Optimizer.create(model.parameters(), config);
        this.optimizerStep = optimizer::step;
        this.watches = LayerWatch.of(model, kernels);
        LayerWatch.addLayers(watches, stats);
    }

    @Override
    public StepStats step(Tensor x, int[] labels, WeightUpdate update) {
        model.train(true);
        optimizer.zeroGrad();
        Tensor logProbs = model.forward(x);                        // (B, classes)
        float loss = criterion.forward(logProbs, labels);           // cross-entropy: NLL of log-softmax
        model.backward(criterion.backward(logProbs, labels));       // reads the weights, writes the grads
        double norm = measure(logProbs, labels, loss);
        ClipGradNorm.clip(model.parameters(), optimizer.config().clipNorm(), norm);
        stats.skipped = !Float.isFinite(loss) || !Double.isFinite(norm);
        if (!stats.skipped) {
            boolean watchUpdate = steps++ % UPDATE_RATIO_EVERY == 0;
            if (watchUpdate) watches.forEach(LayerWatch::rememberWeights);
            update.apply(optimizerStep);                            // readers wait only for the update
            if (watchUpdate) {
                for (int i = 0; i < watches.size(); i++) watches.get(i).measureUpdate(stats.layers.get(i));
            }
        }
        return stats;
    }

    /** The step's statistics, from the gradients before clipping; returns the global gradient norm. */
    private double measure(Tensor logProbs, int[] labels, float loss) {
        int n = logProbs.rows(), correct = 0;
        for (int i = 0; i < n; i++) {
            if (logProbs.argmax(i) == labels[i]) correct++;
        }
        stats.batchSize = n;
        stats.loss = loss;
        stats.batchAccuracy = (float) correct / n;
        double sumOfSquares = 0;
        for (int i = 0; i < watches.size(); i++) {
            sumOfSquares += watches.get(i).measure(stats.layers.get(i), steps % UPDATE_RATIO_EVERY == 0);
        }
        stats.gradientNorm = Math.sqrt(sumOfSquares);
        return stats.gradientNorm;
    }

    @Override
    public OptimizerConfig config() {
        return optimizer.config();
    }

    @Override
    public void reconfigure(OptimizerConfig config) {
        optimizer.reconfigure(config);
    }

    @Override
    public String name() {
        return optimizer.config().type().label();
    }

    @Override
    public List<Tensor> state() {
        return optimizer.state();
    }

    @Override
    public long stateSteps() {
        return optimizer.steps();
    }

    @Override
    public void setStateSteps(long steps) {
        optimizer.setSteps(steps);
    }
}
