package io.mlpstream.learn;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Linear;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;

/**
 * Rosenblatt's perceptron learning rule, one unit per class (one-vs-rest): score_c = w_c . x + b_c, a
 * step function for each unit's decision, and when unit c answers wrongly (target t = +1 or -1),
 * w_c += lr * t * x and b_c += lr * t. Example by example, no gradients, no hidden layer: the baseline
 * the MLP must beat. The class with the largest score is the prediction.
 */
public final class PerceptronRule implements LearningRule {
    private final Linear scores;
    private final List<LayerWatch> watches;
    private final StepStats stats = new StepStats();
    private OptimizerConfig config;

    /** The network is {@code Networks.perceptron}'s: Linear, then LogSoftmax. */
    public PerceptronRule(Sequential network, OptimizerConfig config, Kernels kernels) {
        this.scores = (Linear) network.modules().get(0);
        this.config = config;
        this.watches = LayerWatch.of(network, kernels);
        LayerWatch.addLayers(watches, stats);
    }

    @Override
    public StepStats step(Tensor x, int[] labels, WeightUpdate update) {
        update.apply(() -> learn(x, labels)); // the weights change example by example
        watches.get(0).measureWeights(stats.layers.get(0));
        return stats;
    }

    private void learn(Tensor x, int[] labels) {
        Tensor w = scores.weight.value, b = scores.bias.value;
        float lr = config.lr();
        int in = w.cols(), classes = w.rows(), n = x.rows(), correct = 0, mistakes = 0;
        for (int i = 0; i < n; i++) {
            boolean allRight = true;
            int best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float s = b.get(c);
                for (int k = 0; k < in; k++) s += w.get(c, k) * x.get(i, k);
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
                int target = labels[i] == c ? 1 : -1;
                int fired = s > 0 ? 1 : -1;
                if (fired != target) {
                    allRight = false;
                    for (int k = 0; k < in; k++) w.set(c, k, w.get(c, k) + lr * target * x.get(i, k));
                    b.set(c, b.get(c) + lr * target);
                }
            }
            if (best == labels[i]) correct++;
            if (!allRight) mistakes++;
        }
        stats.batchSize = n;
        stats.loss = (float) mistakes / n; // the perceptron has no likelihood; this is its error rate
        stats.batchAccuracy = (float) correct / n;
        stats.gradientNorm = 0;
        stats.skipped = false;
    }

    @Override
    public OptimizerConfig config() {
        return config;
    }

    @Override
    public void reconfigure(OptimizerConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "perceptron rule";
    }

    @Override
    public boolean followsGradients() {
        return false;
    }
}
