package io.mlpstream.learn;

import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;

/**
 * How a network learns from one mini-batch: back-propagation and an optimizer ({@link GradientStep}),
 * or Rosenblatt's rule ({@link PerceptronRule}).
 */
public interface LearningRule {

    /**
     * One update on the first {@code x.rows()} examples and labels. The weights change only inside
     * {@code update} (and not at all for a skipped step). Refills and returns one reused {@link StepStats}.
     */
    StepStats step(Tensor x, int[] labels, WeightUpdate update);

    /** True for back-propagation with an optimizer; false for a rule that has no settings but the learning rate. */
    default boolean followsGradients() {
        return true;
    }

    /** The optimizer's settings; the perceptron rule uses only the learning rate. */
    OptimizerConfig config();

    /** New hyper-parameters from the next step on; the state (velocities, moments) is kept. */
    void reconfigure(OptimizerConfig config);

    /** "adam", "sgd", "momentum", or "perceptron rule": what /api/model shows. */
    String name();

    /** The optimizer's state tensors, for checkpoints; a rule without state has none. */
    default List<Tensor> state() {
        return List.of();
    }

    /** The optimizer's own step count (Adam's t); restored from checkpoints. */
    default long stateSteps() {
        return 0;
    }

    default void setStateSteps(long steps) {
    }
}
