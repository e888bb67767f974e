package io.mlpstream.pipeline;

import io.mlpstream.learn.DriftWatch;
import io.mlpstream.learn.ModelUpdate;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.Shard;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.RunningModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Data-parallel mode, this instance's side (DESIGN.md, "Many trainers, one model"): each model trains here as
 * mlp.training.shards {@link Shard}s of the group's model: the model itself and copies of it, each learning the
 * partitions dealt to it ({@link #shardOf}) on a worker of its own, as several models do. Every sync-every, on the
 * trainer's thread, the pipeline lets every shard learn what it has buffered, sends each shard's update, and only then
 * commits, all shards of the instance in one transaction: so a transaction never commits an input
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

    /** Per model: this instance's shards of it, shard 0 (the model itself) first. */
    private final Map<String, List<Shard>> shards = new HashMap<>();
    private final Map<String, RunningModel> models = new HashMap<>();
    /** Per model: updates sent since the shard last saw a newer version, i.e. how many versions it is ahead. */
    private final Map<String, Integer> ahead = new HashMap<>();
    /** Which shard learns a partition, as last dealt (read on the workers too). */
    private final Map<TopicPartition, Integer> shardOf = new ConcurrentHashMap<>();
    /** The assignment last dealt. */
    private Set<TopicPartition> dealt = Set.of();
    private final int count;
    private final int maxStaleness;
    private final Interval every;
    private CompletableFuture<Void> caughtUp = GO_ON;

    /** Where the shards start and how they sync; see DESIGN.md, "Many trainers, one model". */
    public record Settings(String instance, int shards, Supplier<DriftWatch> driftWatch, Duration every, int maxStaleness) {
    }

    /**
     * @param start per model name, the newest version the group has published (version 0, the seeded weights, when
     *              none yet): every shard starts from it
     * @param settings the instance id (shard s of it sends updates as {@code <instance>-<s>}), how many shards it runs
     *                 (each model's shards beyond the first are copies made here, each with its own drift watch), and
     *                 the sync interval and staleness bound
     */
    public ShardSync(ModelSet models, Map<String, ModelVersion> start, Settings settings, long now) {
        if (settings.maxStaleness() < 0) {
            throw new IllegalArgumentException("mlp.training.max-staleness=" + settings.maxStaleness() + ": at least 0");
        }
        if (settings.shards() < 1) throw new IllegalArgumentException("mlp.training.shards=" + settings.shards() + ": at least 1");
        this.count = settings.shards();
        this.maxStaleness = settings.maxStaleness();
        for (RunningModel m : models.all()) {
            ModelVersion v = start.get(m.name());
            if (v == null) throw new IllegalArgumentException("no starting version of " + m.name());
            List<RunningModel> copies = new ArrayList<>();
            for (int s = 1; s < count; s++) copies.add(m.shardCopy(s, settings.driftWatch().get()));
            m.trainsWith(copies);
            List<Shard> own = new ArrayList<>();
            for (RunningModel shard : m.shards()) {
                own.add(new Shard(settings.instance() + "-" + own.size(), shard.trainer(), v));
                shard.versionSeen(v.number(), v.examples());
            }
            shards.put(m.name(), own);
            this.models.put(m.name(), m);
            ahead.put(m.name(), 0);
        }
        this.every = new Interval(settings.every().toMillis(), now);
    }

    /** How many shards of each model this instance runs. */
    public int count() {
        return count;
    }

    /**
     * Deals this instance's partitions to its shards again when the assignment changed: each topic's in partition
     * order, in turn, so that a rebalance leaves no shard idle while another has two. Between chunks, on the trainer's
     * thread. A partition that moves takes nothing along: what its old shard buffered of it goes out in that shard's
     * next update, and the new shard learns from the next record on.
     */
    void deal(Set<TopicPartition> assigned) {
        if (count == 1 || assigned.equals(dealt)) return;
        Map<String, List<TopicPartition>> byTopic = new TreeMap<>();
        for (TopicPartition tp : assigned) byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp);
        for (List<TopicPartition> partitions : byTopic.values()) {
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            for (int rank = 0; rank < partitions.size(); rank++) shardOf.put(partitions.get(rank), rank % count);
        }
        dealt = assigned;
    }

    /** The shard that learns (and predicts) a partition's records, as {@link #deal} last dealt it (0 if never). */
    public int shardOf(TopicPartition partition) {
        return count == 1 ? 0 : shardOf.getOrDefault(partition, 0);
    }

    boolean due(long now) {
        return every.due(now);
    }

    /** Each shard's update since the last one, to the outputs (in the open unit, before its commit). */
    synchronized void sendUpdates(Outputs outputs) {
        for (Map.Entry<String, List<Shard>> e : shards.entrySet()) {
            boolean sent = false;
            for (Shard shard : e.getValue()) {
                ModelUpdate u = shard.update();
                if (u.examples() == 0) continue;
                outputs.modelUpdate(e.getKey(), u);
                sent = true;
            }
            if (sent && ahead.merge(e.getKey(), 1, Integer::sum) == maxStaleness + 1) {
                LOG.warnf("Data-parallel: this instance's shards of %s are %d updates past version %d, more than "
                        + "mlp.training.max-staleness (%d): they take no more input until a newer version comes", e.getKey(),
                        maxStaleness + 1, e.getValue().get(0).base(), maxStaleness);
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
        List<Shard> own = shards.get(model);
        if (own == null || version.number() <= own.get(0).base()) return;
        own.forEach(shard -> shard.rebase(version));
        // what /api/model and predictions report
        models.get(model).shards().forEach(m -> m.versionSeen(version.number(), version.examples()));
        ahead.put(model, 0);
        if (!tooFarAhead()) caughtUp.complete(null);
    }
}
