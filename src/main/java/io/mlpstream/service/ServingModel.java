package io.mlpstream.service;

import io.mlpstream.events.Prediction;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** What the HTTP API may see of the model: predictions beside training, and its description. */
@ApplicationScoped
public class ServingModel {

    @Inject
    RunningModel running;

    @Inject
    MlpConfig config;

    /** Empty until the model is built or restored. */
    public Optional<ModelInfo> info() {
        OnlineTrainer t = running.trainer();
        return t == null ? Optional.empty() : Optional.of(ModelInfo.of(running.name(), t, running.lastCheckpoint()));
    }

    /** The input size the model takes (784 for 28x28), or empty before it is built. */
    public Optional<Integer> inputSize() {
        OnlineTrainer t = running.trainer();
        return t == null ? Optional.empty() : Optional.of(t.learner().config().inputSize());
    }

    /** The model's number of classes (10 digits). */
    public int classes() {
        OnlineTrainer t = running.trainer();
        return t == null ? ModelFactory.model(config.model()).classes() : t.learner().config().classes();
    }

    /**
     * Predicts one image of unsigned bytes (0 = background) while training goes on, or empty before the
     * model is built. Any label is the caller's business.
     */
    public Optional<Prediction> predict(String id, byte[] pixels) {
        OnlineTrainer t = running.trainer();
        if (t == null) return Optional.empty();
        Examples one = new Examples(1, t.learner().config().inputSize());
        one.add(pixels, 0, Examples.UNLABELED);
        long step = t.step();
        Tensor logProbs = t.predict(one.inputs());                  // (1, classes)
        return Optional.of(Prediction.of(id, logProbs.toArray(), null, running.name(), step, System.currentTimeMillis()));
    }
}
