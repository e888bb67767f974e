package io.mlpstream.learn;

import java.time.Duration;

/**
 * @param batchSize  examples per training step, fixed: a chunk of arrivals is never a batch by itself
 * @param idleFlush  after this long without new examples, a partial batch is trained on
 * @param window     the sliding window of the windowed accuracy and kappa
 */
public record TrainerConfig(int batchSize, Duration idleFlush, int window) {
    public TrainerConfig {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (window <= 0) throw new IllegalArgumentException("window must be positive, got " + window);
    }

    public TrainerConfig withBatchSize(int b) {
        return new TrainerConfig(b, idleFlush, window);
    }
}
