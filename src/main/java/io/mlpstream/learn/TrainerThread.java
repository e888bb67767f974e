package io.mlpstream.learn;

import java.util.function.Function;

/**
 * Runs work on the one thread that drives the {@link OnlineTrainer}, between two chunks, so that it
 * can change the model or its settings without racing the training loop.
 */
public interface TrainerThread {
    <T> T call(Function<OnlineTrainer, T> work) throws Exception;
}
