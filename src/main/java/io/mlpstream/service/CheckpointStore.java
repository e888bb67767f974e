package io.mlpstream.service;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the models' checkpoints live (the compacted model-checkpoints topic, key = model name), and the
 * lab's record of models added and removed at run time (key {@link #REGISTRY}{@code <configured names>}, which no
 * model can be called). The messaging layer implements it.
 */
public interface CheckpointStore {
    /** Not the start of a valid model name (no underscores): never a model's key. */
    String REGISTRY = "__models:";

    /** The largest value the store takes (a snapshot larger than this could never be written). */
    long maxValueBytes();

    /** What sets {@link #maxValueBytes()}, for a refusal's message. */
    String limitedBy();

    /**
     * The newest value of every key, after taking the models' outputs over (with transactions: fencing any
     * other instance that writes them). A key whose newest record is a tombstone is absent.
     */
    Map<String, byte[]> newest();

    /** The same, committed or not, without taking anything over: to refuse a mismatch first. */
    Map<String, byte[]> peek();

    /**
     * Sends a value ({@code null}: a tombstone, which deletes the key); {@code written} runs once the store has
     * it, {@code failed} if it could not store it. Trainer thread only.
     */
    void write(String key, byte[] value, Runnable written, Consumer<Exception> failed);
}
