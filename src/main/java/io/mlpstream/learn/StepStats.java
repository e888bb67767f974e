package io.mlpstream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * What one training step measured, as the training-metrics record publishes it. The learning rule
 * refills one instance on every step (no allocation in the hot loop): read it during the step's
 * callback.
 */
public final class StepStats {
    public int batchSize;
    /** Wall time of the step: forward, backward and update. */
    public double seconds;
    public float loss;
    public float batchAccuracy;
    /** Global L2 norm of all gradients, before clipping. */
    public double gradientNorm;
    /** True when the loss or a gradient was not finite: the weights were left as they were. */
    public boolean skipped;
    public final List<LayerStats> layers = new ArrayList<>();

    /** Per linear layer, named dense1..denseN from the input (a contract of the metrics and the JSON). */
    public static final class LayerStats {
        public final String name;
        public double weightGradNorm;
        public double biasGradNorm;
        /** Measured every {@link GradientStep#UPDATE_RATIO_EVERY} steps, the last measure in between. */
        public double weightNorm;
        /** Units whose ReLU (or leaky ReLU) input was <= 0 for every example of the batch; 0 for other activations. */
        public double deadFraction;
        /**
         * ||W after the step - W before|| / ||W before||, DL4J's update:parameter ratio (healthy around 1e-3): measured
         * every {@link GradientStep#UPDATE_RATIO_EVERY} steps, the last measure in between; NaN before the first.
         */
        public double updateRatio = Double.NaN;

        public LayerStats(String name) {
            this.name = name;
        }
    }

    /** The name of the i-th linear layer from the input, counting from 1. */
    public static String layerName(int i) {
        return "dense" + i;
    }
}
