package io.mlpstream.learn;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.LeakyReLU;
import io.mlpstream.nn.Linear;
import io.mlpstream.nn.Module;
import io.mlpstream.nn.ReLU;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Watches each linear layer of a network, as wandb.watch(model) does: the norms of its weight and bias
 * gradients (vanishing gradients show as a first layer decades below the last), of its weights, and,
 * when a ReLU follows it, the fraction of its units that were dead for the whole batch.
 */
final class LayerWatch {
    private final Linear linear;
    private final boolean cutsGradient; // a ReLU or leaky ReLU follows: a unit can die
    private final Kernels kernels;
    /** The weights before the step being measured; allocated at the first measure. */
    private float[] before;
    /** Each unit's largest pre-activation in the batch; allocated at the first measure. */
    private float[] largest;

    private LayerWatch(Linear linear, boolean cutsGradient, Kernels kernels) {
        this.linear = linear;
        this.cutsGradient = cutsGradient;
        this.kernels = kernels;
    }

    /** One watch per Linear of the network, in order from the input. */
    static List<LayerWatch> of(Sequential network, Kernels kernels) {
        List<LayerWatch> watches = new ArrayList<>();
        List<Module> modules = network.modules();
        for (int i = 0; i < modules.size(); i++) {
            if (modules.get(i) instanceof Linear linear) {
                Module next = i + 1 < modules.size() ? modules.get(i + 1) : null;
                watches.add(new LayerWatch(linear, next instanceof ReLU || next instanceof LeakyReLU, kernels));
            }
        }
        return watches;
    }

    /** Adds one LayerStats per watch, named dense1..denseN. */
    static void addLayers(List<LayerWatch> watches, StepStats stats) {
        for (int i = 1; i <= watches.size(); i++) {
            stats.layers.add(new StepStats.LayerStats(StepStats.layerName(i)));
        }
    }

    /**
     * Fills the layer's stats after backward, before clipping; returns its squared gradient norm. The weights'
     * norm only when {@code weights}: it moves slowly, and a pass over every weight on every step cost 2-3% of
     * a step at batch 32.
     */
    double measure(StepStats.LayerStats l, boolean weights) {
        l.weightGradNorm = kernels.norm(linear.weight.grad);
        l.biasGradNorm = kernels.norm(linear.bias.grad);
        if (weights) l.weightNorm = kernels.norm(linear.weight.value);
        l.deadFraction = cutsGradient ? fractionOfColumnsNeverPositive(linear.output()) : 0;
        return l.weightGradNorm * l.weightGradNorm + l.biasGradNorm * l.biasGradNorm;
    }

    /** Keeps a copy of the weights, before a step whose update is measured. */
    void rememberWeights() {
        float[] w = linear.weight.value.data();
        if (before == null || before.length != w.length) before = new float[w.length];
        System.arraycopy(w, 0, before, 0, w.length);
    }

    /** After that step: the norm of the change of the weights over the norm of the weights before it. */
    void measureUpdate(StepStats.LayerStats l) {
        float[] w = linear.weight.value.data();
        double change = 0, size = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - before[i];
            change += d * d;
            size += (double) before[i] * before[i];
        }
        l.updateRatio = size == 0 ? Double.NaN : Math.sqrt(change / size);
    }

    /** Only the weight norm: for a rule that has no gradients. */
    void measureWeights(StepStats.LayerStats l) {
        l.weightNorm = kernels.norm(linear.weight.value);
    }

    /** A unit is dead for the batch when its largest pre-activation is <= 0: row by row, which vectorizes. */
    private double fractionOfColumnsNeverPositive(Tensor preActivations) {
        int rows = preActivations.rows(), cols = preActivations.cols(), dead = 0;
        float[] x = preActivations.data();
        if (largest == null || largest.length != cols) largest = new float[cols];
        Arrays.fill(largest, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) largest[j] = Math.max(largest[j], x[i * cols + j]);
        }
        for (int j = 0; j < cols; j++) if (!(largest[j] > 0f)) dead++;
        return (double) dead / cols;
    }
}
