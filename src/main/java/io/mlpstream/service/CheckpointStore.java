package io.mlpstream.service;

import java.util.Optional;

/** Where the model's checkpoints live (the compacted model-checkpoints topic); the messaging layer implements it. */
public interface CheckpointStore {

    /** The newest checkpoint of this model, if any. */
    Optional<byte[]> newest();

    /** Sends a checkpoint; {@code written} runs once the store has it. */
    void write(byte[] checkpoint, Runnable written);

    /** Blocks until everything written so far is stored, for shutdown. */
    void flush();
}
