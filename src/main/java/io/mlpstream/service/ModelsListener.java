package io.mlpstream.service;

/** Told of changes to the set of models, on the trainer's thread: the adapters keep their per-model state with it. */
public interface ModelsListener {
    default void added(RunningModel model) {
    }

    default void removed(RunningModel model) {
    }

    default void servingChanged(String from, String to) {
    }
}
