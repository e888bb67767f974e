package io.mlpstream.service;

// Long because: one model as every part of the service sees it (its trainer, checkpoint bookkeeping, a replica's
// following, the data-parallel version and the shard copies beside it), each part a few small methods.

import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.DriftWatch;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.PrequentialAccuracy;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One model the service trains: its trainer, built fresh from its {@link ModelSpec} or restored from its
 * newest snapshot, and its checkpoint bookkeeping. Plain Java: {@link Models} holds them and says which
 * thread may touch each (the trainer thread, or one model worker at a time).
 */
public final class RunningModel {
    private static final Logger LOG = Logger.getLogger(RunningModel.class);
    /** Data-parallel: the newest version of the group's model this shard has, and its examples; -1: single mode. */
    private volatile long version = -1;
    private volatile long versionExamples;

    private final ModelSpec spec;
    /** Replaced whole on a predictor replica when the trainer publishes a model; the trainer's own never is. */
    private volatile OnlineTrainer trainer;
    private final CheckpointSchedule schedule;
    private final CheckpointStatus status = new CheckpointStatus();
    private final AtomicLong failures = new AtomicLong();
    private final Map<String, Long> resumeOffsets;
    private final boolean restored;
    /** The newest training-metrics record, for the live page; null before the first step. */
    private volatile TrainingMetrics lastMetrics;
    private final DriftWatch drift;
    /** Data-parallel, mlp.training.shards above 1: this instance's other shards of the model, copies that train beside it. */
    private volatile List<RunningModel> copies = List.of();
    /** This is such a copy: it never writes a snapshot (the averager's versions are the model's state). */
    private boolean copy;

    private RunningModel(ModelSpec spec, OnlineTrainer trainer, CheckpointSchedule schedule, Map<String, Long> resumeOffsets,
                         boolean restored, DriftWatch drift) {
        this.spec = spec;
        this.drift = drift;
        this.trainer = trainer;
        this.schedule = schedule;
        this.resumeOffsets = Map.copyOf(resumeOffsets);
        this.restored = restored;
    }

    /** A fresh model, or the stored one if {@code stored} is its snapshot (whose architecture was checked before). */
    public static RunningModel of(ModelSpec spec, CheckpointCodec.Stored stored, CheckpointSchedule schedule, DriftWatch drift) {
        if (stored == null) {
            OnlineTrainer t = new OnlineTrainer(Learner.create(spec.model(), spec.optimizer(), Kernels.best()), spec.trainer());
            return new RunningModel(spec, t, schedule, Map.of(), false, drift);
        }
        Learner learner = stored.checkpoint().learner();
        OnlineTrainer t = new OnlineTrainer(learner, ownBatchSize(spec.trainer(), stored.checkpoint()));
        List<String> kept = ConfigDiff.of(spec.model(), learner.config(), spec.optimizer(), learner.rule().config());
        if (!kept.isEmpty()) {
            LOG.warnf("The restored %s keeps its own settings, not the configured ones: %s. Change them at run time "
                    + "with PATCH /api/model/hyperparameters, or start a fresh model.", spec.name(), String.join(", ", kept));
        }
        t.restore(stored.checkpoint());
        RunningModel m = new RunningModel(spec, t, schedule, stored.offsets(), true, drift);
        schedule.written(t.step());
        m.status.record(t.step(), System.currentTimeMillis());
        LOG.infof("Restored %s at step %d (%d examples trained), resuming at %s", spec.name(), stored.checkpoint().step(),
                stored.checkpoint().examplesTrained(), stored.offsets());
        return m;
    }

    /**
     * Another shard of this model in this instance (data-parallel): fresh weights (the shard starts from the group's
     * version), its own optimizer, drift watch and dropout seed (shard {@code index} added to the model's).
     */
    public RunningModel shardCopy(int index, DriftWatch drift) {
        Learner l = trainer.learner();
        OnlineTrainer t = new OnlineTrainer(Learner.create(l.config().withSeed(l.config().seed() + index), l.rule().config(),
                Kernels.best()), trainer.config());
        RunningModel c = new RunningModel(spec, t, CheckpointSchedule.NEVER, Map.of(), false, drift);
        c.copy = true;
        return c;
    }

    /** Data-parallel: the copies that are this instance's other shards of the model. */
    public void trainsWith(List<RunningModel> copies) {
        this.copies = List.copyOf(copies);
    }

    /** This model and its copies: this instance's shards of it, shard 0 first (one in single mode). */
    public List<RunningModel> shards() {
        List<RunningModel> all = new ArrayList<>(1 + copies.size());
        all.add(this);
        all.addAll(copies);
        return all;
    }

    /** Test-then-train accuracy since the start, over this instance's shards of the model. */
    public double prequentialAccuracy() {
        return copies.isEmpty() ? trainer.accuracy().cumulative() : PrequentialAccuracy.cumulative(accuracies());
    }

    /** The same over the sliding window (NaN while it is empty). */
    public double windowAccuracy() {
        return copies.isEmpty() ? trainer.accuracy().window() : PrequentialAccuracy.window(accuracies());
    }

    private List<PrequentialAccuracy> accuracies() {
        return shards().stream().map(m -> m.trainer().accuracy()).toList();
    }

    /** Examples predicted by this instance's shards of the model. */
    public long examplesPredicted() {
        return shards().stream().mapToLong(m -> m.trainer().examplesPredicted()).sum();
    }

    /** A snapshot's batch size is the model's own, like its optimizer's settings (older snapshots have none: 0). */
    private static TrainerConfig ownBatchSize(TrainerConfig configured, Checkpoint stored) {
        return stored.batchSize() > 0 ? configured.withBatchSize(stored.batchSize()) : configured;
    }

    public String name() {
        return spec.name();
    }

    public ModelSpec spec() {
        return spec;
    }

    public OnlineTrainer trainer() {
        return trainer;
    }

    /** Its watch on its own error stream; only the thread that drives the model feeds it. */
    public DriftWatch drift() {
        return drift;
    }

    /** The input offsets its snapshot resumes from ("topic-partition" to the next offset to learn); empty if fresh. */
    public Map<String, Long> resumeOffsets() {
        return resumeOffsets;
    }

    /** Whether it was restored from a snapshot, else it is fresh. */
    public boolean restored() {
        return restored;
    }

    /** The newest training-metrics record (at most a tenth of a second old while it trains), or null. */
    public TrainingMetrics lastMetrics() {
        return lastMetrics;
    }

    /** Called by the thread that drives this model. */
    public void reported(TrainingMetrics metrics) {
        lastMetrics = metrics;
    }

    /** Data-parallel: the newest version of the group's model rebased onto, and the examples it holds; -1 in single mode. */
    public void versionSeen(long number, long examples) {
        versionExamples = examples;
        version = number;
    }

    public long version() {
        return version;
    }

    public ModelInfo info() {
        return ModelInfo.of(this, status, version, versionExamples);
    }

    /** A trainer's model is live; a replica's is as old as the newest model record or heartbeat it read. */
    private static final long LIVE = Long.MIN_VALUE;
    private volatile long followedAt = LIVE;

    /**
     * Predict role: this model follows the models topic; {@code epochMillis}: when its newest record was written (0: none
     * yet, and it is as stale as the time since it began to follow).
     */
    public void followed(long epochMillis) {
        if (followedAt == LIVE) followingSince = System.currentTimeMillis();
        followedAt = followedAt == LIVE ? epochMillis : Math.max(followedAt, epochMillis);
    }

    private volatile long followingSince;

    /** A trainer's model, or a replica's once it read one model record. */
    public boolean holdsModel() {
        return followedAt == LIVE || holds;
    }

    private volatile boolean holds;

    /**
     * Predict role: a model published by the trainer replaces this one whole, its settings included (load before
     * unload, as TF Serving does): a prediction in flight finishes on the old one. Inference needs no optimizer state,
     * so a replica configured with another optimizer or leaky slope than the trainer's model still follows it.
     */
    public void follow(Checkpoint published) {
        OnlineTrainer next = new OnlineTrainer(published.learner(), ownBatchSize(spec.trainer(), published));
        next.restore(published);
        trainer = next;
    }

    /** Predict role: weights were loaded from the models topic. */
    public void loaded() {
        holds = true;
    }

    /** Seconds since the newest model record or heartbeat this replica read (0 for the trainer's own model). */
    public double stalenessSeconds() {
        long at = followedAt;
        if (at == LIVE) return 0;
        return Math.max(0, System.currentTimeMillis() - (at == 0 ? followingSince : at)) / 1000.0;
    }

    /** A checkpoint at the next step, whatever the schedule says. */
    public void checkpointSoon() {
        schedule.expire();
    }

    /** True every N steps or T seconds. */
    public boolean checkpointDue() {
        return schedule.due(trainer.step());
    }

    /**
     * The snapshot to write now, with the input offsets it resumes from, or null: not between steps with nothing
     * buffered (the offsets would not be exact), no step yet, or a non-finite weight (never written). Call it on
     * the thread that drives this model.
     */
    public byte[] snapshot(Map<String, Long> offsets) {
        if (copy || trainer.buffered() > 0 || trainer.step() == 0 || !finite()) return null;
        schedule.written(trainer.step());
        return CheckpointCodec.encode(trainer.checkpoint(), offsets);
    }

    /**
     * A fresh model's starting point: its snapshot before it learns anything, with the offsets it starts from; null if
     * it was restored (its snapshot is its starting point) or holds anything unlearned. Written with the model's first
     * outputs, so that a crash before its first step leaves a snapshot to resume from: without one, the restarted model
     * would start where the group's committed offsets are, after examples it had buffered and never learned.
     */
    public byte[] startingSnapshot(Map<String, Long> offsets) {
        if (copy || restored || trainer.buffered() > 0 || offsets.isEmpty() || !finite()) return null;
        return CheckpointCodec.encode(trainer.checkpoint(), offsets);
    }

    /** A snapshot with a non-finite weight is never written: the last good one stays the one to resume from. */
    private boolean finite() {
        for (Parameter p : trainer.learner().network().parameters()) {
            if (!p.value.isFinite()) {
                LOG.errorf("Not checkpointing %s at step %d: its %s has non-finite values", name(), trainer.step(), p.name);
                return false;
            }
        }
        return true;
    }

    /** The store has the snapshot of this step. */
    public void checkpointStored(long step) {
        status.record(step, System.currentTimeMillis());
    }

    /** The store could not take the snapshot of this step. */
    public void checkpointFailed(long step, int bytes, Exception e) {
        failures.incrementAndGet();
        LOG.errorf("Checkpoint of %s at step %d (%d bytes) failed: %s. The last good one is %.0f s old; after a crash "
                + "the model would resume from it.", name(), step, bytes, e.getMessage(), checkpointAgeSeconds());
    }

    public CheckpointStatus lastCheckpoint() {
        return status;
    }

    /** Seconds since the last checkpoint was stored (acknowledged by the store) or restored; NaN before the first. */
    public double checkpointAgeSeconds() {
        return status.step() < 0 ? Double.NaN : (System.currentTimeMillis() - status.epochMillis()) / 1000.0;
    }

    /** Checkpoints that could not be stored, since the start. */
    public long checkpointFailures() {
        return failures.get();
    }
}
