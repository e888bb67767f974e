package io.mlpstream.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * What one training step measured. The model refills one instance on every step (no allocation in
 * the hot loop): read it during the step's callback.
 */
public final class StepStats {
    public int batchSize;
    /** Wall time of the step: forward, backward and update. */
    public double seconds;
    public float loss;
    public float batchAccuracy;
    public double gradientNorm;
    /** True when the loss or a gradient was not finite: the weights were left as they were. */
    public boolean skipped;
    public final List<LayerStats> layers = new ArrayList<>();

    /** Per Dense layer; the gradient norms are the ones before clipping. */
    public static final class LayerStats {
        public final String name;
        public double weightGradNorm;
        public double biasGradNorm;
        public double weightNorm;
        public double deadFraction;

        public LayerStats(String name) {
            this.name = name;
        }
    }
}
