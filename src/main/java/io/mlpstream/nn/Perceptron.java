package io.mlpstream.nn;

import java.util.List;

/**
 * Rosenblatt's perceptron, one per class (one-vs-rest): score_c = w_c . x + b_c, a step function for
 * the decision, and the perceptron learning rule: when class c's unit answers wrongly (+1 vs -1),
 * w_c += lr * t * x and b_c += lr * t. No gradients, no hidden layer: the baseline the MLP must beat.
 *
 * <p>The class with the largest score wins; its "probabilities" are a softmax of the scores, so
 * that the prediction contract is the same as the MLP's.
 */
public final class Perceptron implements Model {
    private final ModelConfig config;
    private final Dense scores;
    private final LogSoftmax logSoftmax = new LogSoftmax();
    private final StepStats stats = new StepStats();
    private float lr;
    private long step;

    public Perceptron(ModelConfig config, float lr, Kernels kernels) {
        this(config, new Dense(config.inputSize(), config.classes(), false, kernels), lr);
        // zero weights: the classic starting point, and the rule is then independent of lr's scale
    }

    private Perceptron(ModelConfig config, Dense scores, float lr) {
        this.config = config;
        this.scores = scores;
        this.lr = lr;
        stats.layers.add(new StepStats.LayerStats("dense1"));
    }

    @Override
    public Tensor forward(Tensor x) {
        return logSoftmax.forward(scores.forward(x));
    }

    @Override
    public StepStats trainStep(Tensor x, int[] labels) {
        Tensor w = scores.weight.value, b = scores.bias.value;
        int in = config.inputSize(), classes = config.classes(), n = x.rows(), correct = 0, mistakes = 0;
        for (int i = 0; i < n; i++) {
            boolean allRight = true;
            int best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float s = b.get(c);
                for (int k = 0; k < in; k++) s += w.get(c * in + k) * x.get(i * in + k);
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
                int target = labels[i] == c ? 1 : -1;
                int fired = s > 0 ? 1 : -1;
                if (fired != target) {
                    allRight = false;
                    for (int k = 0; k < in; k++) w.set(c * in + k, w.get(c * in + k) + lr * target * x.get(i * in + k));
                    b.set(c, b.get(c) + lr * target);
                }
            }
            if (best == labels[i]) correct++;
            if (!allRight) mistakes++;
        }
        step++;
        stats.batchSize = n;
        stats.loss = (float) mistakes / n; // the perceptron has no likelihood; this is its error rate
        stats.batchAccuracy = (float) correct / n;
        stats.gradientNorm = 0;
        stats.skipped = false;
        StepStats.LayerStats l = stats.layers.get(0);
        l.weightNorm = w.norm();
        return stats;
    }

    public void setLr(float lr) {
        this.lr = lr;
    }

    public float lr() {
        return lr;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public List<Parameter> parameters() {
        return scores.parameters();
    }

    @Override
    public Optimizer optimizer() {
        return null;
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
    public Model inferenceReplica() {
        return new Perceptron(config, (Dense) scores.replica(), lr);
    }

    @Override
    public String toString() {
        return "Perceptron(in=" + config.inputSize() + ", classes=" + config.classes() + ")";
    }
}
