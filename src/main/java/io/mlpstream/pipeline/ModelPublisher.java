package io.mlpstream.pipeline;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.RunningModel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Publishes each model for predictor replicas, every mlp.publish.every on the trainer's thread: its snapshot to the
 * compacted models topic (key = model name) when its weights changed since the last time (a step, a swap, an
 * uploaded snapshot, which may land on the same step), else a heartbeat (key = name + ":heartbeat", value = its step),
 * so that a replica's staleness measures how far behind it is, not how idle the trainer is. A model removed at run
 * time gets tombstones, so that compaction forgets it. All go in the outputs' transactions, as everything the trainer
 * writes.
 */
public final class ModelPublisher {
    public static final String HEARTBEAT = ":heartbeat";

    private final ModelSet models;
    private final Outputs outputs;

    /** Per model, the trainer and its weights' version last published (the trainer object too: a restore makes one anew). */
    private record Published(OnlineTrainer trainer, long version) {
    }

    private final Map<String, Published> published = new HashMap<>();

    ModelPublisher(ModelSet models, Outputs outputs) {
        this.models = models;
        this.outputs = outputs;
    }

    /** Between chunks, on the trainer's thread: the weights are not changing. */
    void publish() {
        Set<String> gone = new HashSet<>(published.keySet());
        for (RunningModel m : models.all()) {
            gone.remove(m.name());
            OnlineTrainer t = m.trainer();
            Published now = new Published(t, t.weightsVersion());
            if (!now.equals(published.put(m.name(), now))) {
                outputs.model(m.name(), CheckpointCodec.encode(t.checkpoint()));
            } else {
                outputs.model(m.name() + HEARTBEAT, String.valueOf(t.step()).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (String name : gone) { // removed at run time
            outputs.model(name, null);
            outputs.model(name + HEARTBEAT, null);
            published.remove(name);
        }
    }
}
