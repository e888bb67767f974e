package io.mlpstream.learn;

import java.time.Duration;

/**
 * How the online trainer batches a stream. Start from {@link #DEFAULT} and change what differs with
 * the {@code withX} methods.
 */
public record TrainerConfig(
        int batchSize,       // 16: the accuracy of batch 8 at 1.6 times its speed (README, "Choosing the defaults");
                             // fixed: a chunk of arrivals is never a batch by itself
        Duration idleFlush,  // 1 s: a partial batch waits this long for more labeled examples, then is trained
        int window) {        // 1000: labeled examples in the sliding window of windowed accuracy and kappa

    public static final TrainerConfig DEFAULT = new TrainerConfig(16, Duration.ofSeconds(1), 1000);

    public TrainerConfig {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (window <= 0) throw new IllegalArgumentException("window must be positive, got " + window);
    }

    public TrainerConfig withBatchSize(int v) {
        return new TrainerConfig(v, idleFlush, window);
    }

    public TrainerConfig withIdleFlush(Duration v) {
        return new TrainerConfig(batchSize, v, window);
    }

    public TrainerConfig withWindow(int v) {
        return new TrainerConfig(batchSize, idleFlush, v);
    }
}
