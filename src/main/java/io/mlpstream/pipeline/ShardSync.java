package io.mlpstream.pipeline;

import io.mlpstream.learn.ModelUpdate;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.Shard;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.RunningModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Data-parallel mode, this instance's side (DESIGN.md, "Many trainers, one model"): each model trains here as one
 * {@link Shard} of the group's model. Every sync-every, on the trainer's thread, the pipeline lets every model learn
 * what it has buffered, sends each shard's update, and only then commits: so a transaction never commits an input
 * offset whose example is in no update sent so far (the update travels in the same transaction). Newer versions from
 * the averager are rebased onto between chunks.
 *
 * <p>Bounded staleness: each update a shard sends on the same version would make a newer one; a shard that has sent
 * more than max-staleness of them without seeing a newer version (the averager is down, or slow) takes no more input
 * until it does: {@link #whenNotTooFarAhead} holds the consumer back, as an unfinished batch does.
 */
public final class ShardSync {
    private static final Logger LOG = Logger.getLogger(ShardSync.class);
    private static final CompletableFuture<Void> GO_ON = CompletableFuture.completedFuture(null);

    private final Map<String, Shard> shards = new HashMap<>();
    private final Map<String, RunningModel> models = new HashMap<>();
    /** Per model: updates sent since the shard last saw a newer version, i.e. how many versions it is ahead. */
    private final Map<String, Integer> ahead = new HashMap<>();
    private final int maxStaleness;
    private final Interval every;
    private CompletableFuture<Void> caughtUp = GO_ON;

    /**
     * @param start per model name, the newest version the group has published (version 0, the seeded weights, when
     *              none yet): every shard starts from it
     * @param shard this shard's name in the updates it sends (the instance id and the shard number)
     */
    public ShardSync(ModelSet models, Map<String, ModelVersion> start, String shard, Duration every, int maxStaleness,
                     long now) {
        if (maxStaleness < 0) throw new IllegalArgumentException("mlp.training.max-staleness=" + maxStaleness + ": at least 0");
        this.maxStaleness = maxStaleness;
        for (RunningModel m : models.all()) {
            ModelVersion v = start.get(m.name());
            if (v == null) throw new IllegalArgumentException("no starting version of " + m.name());
            shards.put(m.name(), new Shard(shard, m.trainer(), v));
            this.models.put(m.name(), m);
            m.versionSeen(v.number(), v.examples());
            ahead.put(m.name(), 0);
        }
        this.every = new Interval(every.toMillis(), now);
    }

    boolean due(long now) {
        return every.due(now);
    }

    /** Each shard's update since the last one, to the outputs (in the open unit, before its commit). */
    synchronized void sendUpdates(Outputs outputs) {
        for (Map.Entry<String, Shard> e : shards.entrySet()) {
            ModelUpdate u = e.getValue().update();
            if (u.examples() == 0) continue;
            outputs.modelUpdate(e.getKey(), u);
            if (ahead.merge(e.getKey(), 1, Integer::sum) == maxStaleness + 1) {
                LOG.warnf("Data-parallel: shard %s of %s is %d updates past version %d, more than mlp.training.max-staleness "
                        + "(%d): it takes no more input until a newer version comes", e.getValue().name(), e.getKey(),
                        maxStaleness + 1, e.getValue().base(), maxStaleness);
            }
        }
    }

    /** Completes once no model is more than max-staleness versions ahead of the newest it has seen (at once if none is). */
    public synchronized CompletionStage<Void> whenNotTooFarAhead() {
        if (!tooFarAhead()) return GO_ON;
        if (caughtUp.isDone()) caughtUp = new CompletableFuture<>();
        return caughtUp;
    }

    private boolean tooFarAhead() {
        return ahead.values().stream().anyMatch(n -> n > maxStaleness);
    }

    /** On the trainer's thread, between chunks: a newer version of a model, rebased onto; an older one is ignored. */
    public synchronized void rebase(String model, ModelVersion version) {
        Shard shard = shards.get(model);
        if (shard == null || version.number() <= shard.base()) return;
        shard.rebase(version);
        models.get(model).versionSeen(version.number(), version.examples()); // what /api/model and predictions report
        ahead.put(model, 0);
        if (!tooFarAhead()) caughtUp.complete(null);
    }
}
