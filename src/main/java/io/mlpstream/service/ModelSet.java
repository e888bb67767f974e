package io.mlpstream.service;

import java.util.List;
import java.util.Optional;

/**
 * What the stream loop needs of the models: the set it trains (changed at run time on the trainer's thread), which
 * one serves, and where a snapshot goes. {@link Models} is the service's; a test can hand the loop a plain list.
 */
public interface ModelSet {
    /** Every model, sorted by name. */
    List<RunningModel> all();

    /** The serving model's name. */
    String servingName();

    /** After each chunk: with {@code mlp.serving-model=best}, lets the best model serve. Trainer thread. */
    void chooseServing();

    /** Writes a model's snapshot, taken at {@code step}. Trainer thread. */
    void writeCheckpoint(RunningModel m, byte[] bytes, long step);

    /** Tells {@code listener} of models added and removed and of serving switches, on the trainer's thread. */
    void listen(ModelsListener listener);

    default Optional<RunningModel> get(String name) {
        return all().stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
