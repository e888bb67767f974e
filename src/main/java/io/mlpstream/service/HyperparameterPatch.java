package io.mlpstream.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.optim.OptimizerConfig;

/**
 * The body of PATCH /api/model/hyperparameters: any subset, applied from the next step. Unknown
 * fields, strings for numbers and fractions for the batch size are refused when it is read.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HyperparameterPatch(Float learningRate, Float momentum, Float weightDecay, Float dropout, Integer batchSize) {

    public HyperparameterPatch {
        if (learningRate == null && momentum == null && weightDecay == null && dropout == null && batchSize == null) {
            throw new IllegalArgumentException("nothing to change: send any of learningRate, momentum, weightDecay, dropout, batchSize");
        }
        if (learningRate != null && !(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (momentum != null && !(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (weightDecay != null && !(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        if (dropout != null && !(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (batchSize != null && batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
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
