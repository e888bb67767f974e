package io.mlpstream.pipeline;

import io.mlpstream.learn.ModelUpdate;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.Shard;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.RunningModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Data-parallel mode, this instance's side (DESIGN.md, "Many trainers, one model"): each model trains here as one
 * {@link Shard} of the group's model. Every sync-every, on the trainer's thread, the pipeline lets every model learn
 * what it has buffered, sends each shard's update, and only then commits: so a transaction never commits an input
 * offset whose example is in no update sent so far (the update travels in the same transaction). Newer versions from
 * the averager are rebased onto between chunks.
 */
public final class ShardSync {
    private final Map<String, Shard> shards = new HashMap<>();
    private final Map<String, RunningModel> models = new HashMap<>();
    private final Interval every;

    /**
     * @param start per model name, the newest version the group has published (version 0, the seeded weights, when
     *              none yet): every shard starts from it
     * @param shard this shard's name in the updates it sends (the instance id and the shard number)
     */
    public ShardSync(ModelSet models, Map<String, ModelVersion> start, String shard, Duration every, long now) {
        for (RunningModel m : models.all()) {
            ModelVersion v = start.get(m.name());
            if (v == null) throw new IllegalArgumentException("no starting version of " + m.name());
            shards.put(m.name(), new Shard(shard, m.trainer(), v));
            this.models.put(m.name(), m);
            m.versionSeen(v.number(), v.examples());
        }
        this.every = new Interval(every.toMillis(), now);
    }

    boolean due(long now) {
        return every.due(now);
    }

    /** Each shard's update since the last one, to the outputs (in the open unit, before its commit). */
    void sendUpdates(Outputs outputs) {
        for (Map.Entry<String, Shard> e : shards.entrySet()) {
            ModelUpdate u = e.getValue().update();
            if (u.examples() > 0) outputs.modelUpdate(e.getKey(), u);
        }
    }

    /** On the trainer's thread, between chunks: a newer version of a model, rebased onto; an older one is ignored. */
    public void rebase(String model, ModelVersion version) {
        Shard shard = shards.get(model);
        if (shard == null || version.number() <= shard.base()) return;
        shard.rebase(version);
        models.get(model).versionSeen(version.number(), version.examples()); // what /api/model and predictions report
    }
}
