package io.mlpstream.learn;

/**
 * How a learning rule publishes its change of the weights. The online trainer runs the change under
 * the weights' write lock and counts the step there too, so that a prediction on another thread sees
 * the old weights with the old step or the new weights with the new step, never a half-updated model.
 */
@FunctionalInterface
public interface WeightUpdate {

    void apply(Runnable change);

    /** For a learner used by one thread alone (tests, the benchmark's later epochs): just run it. */
    WeightUpdate DIRECT = Runnable::run;
}
