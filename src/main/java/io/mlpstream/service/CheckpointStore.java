package io.mlpstream.service;

import java.util.Optional;
import java.util.function.Consumer;

/** Where the model's checkpoints live (the compacted model-checkpoints topic); the messaging layer implements it. */
public interface CheckpointStore {

    /**
     * The newest checkpoint of this model, if any, after taking the model's outputs over (with transactions:
     * fencing any other instance that writes them).
     */
    Optional<byte[]> newest();

    /** The newest checkpoint, committed or not, without taking anything over: to refuse a mismatch first. */
    Optional<byte[]> peek();

    /** Sends a checkpoint; {@code written} runs once the store has it, {@code failed} if it could not store it. */
    void write(byte[] checkpoint, Runnable written, Consumer<Exception> failed);
}
