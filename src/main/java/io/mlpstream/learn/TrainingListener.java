package io.mlpstream.learn;

import io.mlpstream.nn.StepStats;
import io.mlpstream.nn.Tensor;

/** Where the trainer reports: one call per prediction, one per training step. Called on the trainer's thread. */
public interface TrainingListener {

    /**
     * Example {@code index} of the chunk was predicted. {@code logProbs} row {@code index} holds its
     * log-probabilities (valid only during the call). {@code loss} is NaN for unlabeled examples.
     */
    default void onPrediction(int index, int predicted, Tensor logProbs, float loss, long modelStep) {
    }

    /** A step ran on {@code stats.batchSize} examples; the stats object is reused after the call. */
    default void onStep(StepStats stats, OnlineTrainer trainer) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
