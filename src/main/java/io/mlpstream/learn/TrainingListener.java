package io.mlpstream.learn;


/** Where the trainer reports: one call per prediction, one per training step. Called on the trainer's thread. */
public interface TrainingListener {

    /**
     * Example {@code index} of the chunk was predicted. {@code logProbs} holds its log-probabilities
     * (the array is reused after the call). {@code loss} is NaN for unlabeled examples.
     */
    default void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
    }

    /** A step ran on {@code stats.batchSize} examples; the stats object is reused after the call. */
    default void onStep(StepStats stats, OnlineTrainer trainer) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
