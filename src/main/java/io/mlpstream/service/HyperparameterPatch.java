package io.mlpstream.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.optim.OptimizerConfig;

/**
 * The body of PATCH /api/model/hyperparameters: any subset, applied from the next step. Unknown
 * fields, fractions for the batch size, and values that are not finite or out of bounds (learningRate
 * in (0, 10], momentum in [0, 1), weightDecay in [0, 1], dropout in [0, 1), batchSize in [1, 4096]) are
 * refused when it is read, before anything changes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HyperparameterPatch(Float learningRate, Float momentum, Float weightDecay, Float dropout, Integer batchSize) {
    /** Larger batches than this are not online learning any more, and their buffers would be large. */
    static final int MAX_BATCH = 4096;

    public HyperparameterPatch {
        if (learningRate == null && momentum == null && weightDecay == null && dropout == null && batchSize == null) {
            throw new IllegalArgumentException("nothing to change: send any of learningRate, momentum, weightDecay, dropout, batchSize");
        }
        check("learningRate", learningRate, 0, false, 10, true);
        check("momentum", momentum, 0, true, 1, false);
        check("weightDecay", weightDecay, 0, true, 1, true);
        check("dropout", dropout, 0, true, 1, false);
        if (batchSize != null && (batchSize < 1 || batchSize > MAX_BATCH)) {
            throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH + "], got " + batchSize);
        }
    }

    /** A finite value within its bounds, or null (unchanged). */
    private static void check(String name, Float v, float low, boolean lowIncluded, float high, boolean highIncluded) {
        if (v == null) return;
        boolean ok = Float.isFinite(v) && (lowIncluded ? v >= low : v > low) && (highIncluded ? v <= high : v < high);
        if (!ok) {
            throw new IllegalArgumentException(name + " must be in " + (lowIncluded ? "[" : "(") + low + ", " + high
                    + (highIncluded ? "]" : ")") + ", got " + v);
        }
    }

    /** Call it on the trainer's thread. */
    void applyTo(OnlineTrainer t) {
        OptimizerConfig opt = t.learner().rule().config();
        if (learningRate != null) opt = opt.withLr(learningRate);
        if (momentum != null) opt = opt.withMomentum(momentum);
        if (weightDecay != null) opt = opt.withWeightDecay(weightDecay);
        t.reconfigure(batchSize == null ? null : t.config().withBatchSize(batchSize), opt, dropout);
    }
}
