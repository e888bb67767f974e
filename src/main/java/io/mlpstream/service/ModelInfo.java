package io.mlpstream.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.time.Instant;

/** GET /api/model: what is learning, how far it got, and how well it does. */
public record ModelInfo(String model, String architecture, Hyperparameters hyperparameters, long step, long modelVersion,
                        long examplesTrained, long examplesPredicted, double prequentialAccuracy,
                        double windowAccuracy, LastCheckpoint lastCheckpoint, double stalenessSeconds) {

    /** The optimizer's settings are absent for the perceptron, whose rule has none but the learning rate. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hyperparameters(String optimizer, Float learningRate, Float momentum, Boolean nesterov,
                                  Float weightDecay, Float clipNorm, int batchSize, float dropout, String init, long seed) {
    }

    public record LastCheckpoint(long step, String time) {
    }

    /**
     * {@code version}: data-parallel, the newest version of the group's model this instance has (its examples are the
     * group's examples trained); -1 in single mode, where the version is the step. The accuracies and the examples
     * predicted are over this instance's shards of the model (one, but with mlp.training.shards above 1).
     */
    static ModelInfo of(RunningModel m, CheckpointStatus checkpoint, long version, long versionExamples) {
        OnlineTrainer t = m.trainer();
        ModelConfig config = t.learner().config();
        OptimizerConfig opt = t.learner().rule().config();
        boolean gradients = t.learner().rule().followsGradients();
        Hyperparameters hyper = new Hyperparameters(t.learner().rule().name(),
                gradients ? opt.lr() : null, gradients ? opt.momentum() : null, gradients ? opt.nesterov() : null,
                gradients ? opt.weightDecay() : null, gradients ? opt.clipNorm() : null,
                t.config().batchSize(), t.learner().dropout(), config.effectiveInit().name().toLowerCase(), config.seed());
        LastCheckpoint last = checkpoint.step() < 0 ? null
                : new LastCheckpoint(checkpoint.step(), Instant.ofEpochMilli(checkpoint.epochMillis()).toString());
        return new ModelInfo(m.name(), config.architecture(), hyper, t.step(), version < 0 ? t.step() : version,
                version < 0 ? t.examplesTrained() : versionExamples, m.examplesPredicted(),
                m.prequentialAccuracy(), zeroIfEmpty(m.windowAccuracy()), last, m.stalenessSeconds());
    }

    /** JSON has no NaN: an empty window reads 0 here, as it always has; {@code examplesPredicted} tells the two apart. */
    private static double zeroIfEmpty(double window) {
        return Double.isNaN(window) ? 0 : window;
    }
}
