package io.mlpstream.service;

import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The model this service trains, and the one thread that trains it ({@code mlp-trainer}): built from
 * the configuration, or restored from the newest checkpoint, at start. Everything that touches the
 * model runs on that thread: the stream's chunks, the idle flush, admin work, checkpoints.
 */
@ApplicationScoped
public class RunningModel {
    private static final Logger LOG = Logger.getLogger(RunningModel.class);

    @Inject
    MlpConfig config;

    @Inject
    CheckpointStore store;

    private final CheckpointStatus status = new CheckpointStatus();
    private final AtomicLong failures = new AtomicLong();
    private final CountDownLatch restored = new CountDownLatch(1);
    private volatile Map<String, Long> resumeOffsets = Map.of();
    private volatile OnlineTrainer trainer;
    private volatile boolean wasRestored;
    private ScheduledExecutorService worker;
    private CheckpointSchedule schedule;

    void start(@Observes @Priority(10) StartupEvent event) {
        ModelName.requireValid(name()); // before anything is written under it
        ModelConfig model = ModelFactory.model(config.model());
        OptimizerConfig optimizer = ModelFactory.optimizer(config.optimizer());
        schedule = new CheckpointSchedule(config.checkpoints().everySteps(), config.checkpoints().every());
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlp-trainer");
            t.setDaemon(true);
            return t;
        });
        try {
            CheckpointCodec.Stored stored = restore(model);
            Learner learner = stored == null ? Learner.create(model, optimizer, Kernels.best()) : stored.checkpoint().learner();
            OnlineTrainer t = new OnlineTrainer(learner, ModelFactory.trainer(config.training()));
            if (stored != null) {
                List<String> kept = ConfigDiff.of(model, learner.config(), optimizer, learner.rule().config());
                if (!kept.isEmpty()) {
                    LOG.warnf("The restored %s keeps its own settings, not the configured ones: %s. Change them at run time "
                            + "with PATCH /api/model/hyperparameters, or start a fresh model.", name(), String.join(", ", kept));
                }
                t.restore(stored.checkpoint());
                resumeOffsets = Map.copyOf(stored.offsets());
                wasRestored = true;
                schedule.written(t.step());
                status.record(t.step(), System.currentTimeMillis());
            }
            trainer = t;
        } finally {
            restored.countDown();
        }
        // the effective settings: a restored model's own, not necessarily the configured ones
        LOG.infof("Model %s: %s, %s, dropout %s, batch size %d%n%s", name(), trainer.learner().config().architecture(),
                trainer.learner().rule().config(), trainer.learner().dropout(), trainer.config().batchSize(),
                trainer.learner().network());
    }

    /** The newest checkpoint, if its architecture is the configured one (else refuse, or start fresh if asked to). */
    private CheckpointCodec.Stored restore(ModelConfig configured) {
        // the architecture is checked before the model's outputs are taken over: a new version that refuses to
        // start must not have fenced the running one
        var peeked = store.peek();
        if (peeked.isPresent()) checkArchitecture(CheckpointCodec.peekConfig(peeked.get()), configured, false);
        var bytes = store.newest();
        if (bytes.isEmpty()) {
            LOG.infof("No checkpoint of %s in %s: starting a fresh model", name(), config.checkpoints().topic());
            return null;
        }
        if (!checkArchitecture(CheckpointCodec.peekConfig(bytes.get()), configured, true)) return null;
        CheckpointCodec.Stored s = CheckpointCodec.decode(bytes.get(), Kernels.best());
        LOG.infof("Restored %s at step %d (%d examples trained), resuming at %s", name(), s.checkpoint().step(),
                s.checkpoint().examplesTrained(), s.offsets());
        return s;
    }

    /** True if the snapshot's architecture is the configured one; else refuses to start, or returns false if asked to. */
    private boolean checkArchitecture(ModelConfig stored, ModelConfig configured, boolean warn) {
        if (!stored.sameArchitecture(configured)) {
            String both = "the snapshot of " + name() + " is " + stored.architecture() + " " + stored.hidden()
                    + ", the configuration asks for " + configured.architecture() + " " + configured.hidden();
            if (!config.checkpoints().freshOnMismatch()) {
                throw new IllegalStateException("Refusing to start: " + both
                        + ". Set MLP_CHECKPOINTS_FRESH_ON_MISMATCH=true to start a fresh model instead.");
            }
            if (warn) LOG.warnf("Starting a fresh model: %s", both);
            return false;
        }
        return true;
    }

    /**
     * Writes a checkpoint with the input offsets it resumes from, on the trainer's thread, between steps,
     * with nothing buffered (so the offsets are exact). A model with a non-finite weight is never written.
     */
    public void checkpoint(Map<String, Long> offsets) {
        OnlineTrainer t = trainer;
        if (t.buffered() > 0 || t.step() == 0) return;
        for (Parameter p : t.learner().network().parameters()) {
            if (!p.value.isFinite()) {
                LOG.errorf("Not checkpointing %s at step %d: its %s has non-finite values", name(), t.step(), p.name);
                return;
            }
        }
        long step = t.step();
        byte[] bytes = CheckpointCodec.encode(t.checkpoint(), offsets);
        schedule.written(step);
        store.write(bytes, () -> status.record(step, System.currentTimeMillis()), e -> {
            failures.incrementAndGet();
            LOG.errorf("Checkpoint of %s at step %d (%d bytes) failed: %s. The last good one is %.0f s old; after a crash "
                    + "the model would resume from it.", name(), step, bytes.length, e.getMessage(), checkpointAgeSeconds());
        });
    }

    /** True every N steps or T seconds. */
    public boolean checkpointDue() {
        return schedule.due(trainer.step());
    }

    /** Runs work on the trainer's thread, between chunks, and waits for its result (30 s at most). */
    public <T> T call(Function<OnlineTrainer, T> work) throws Exception {
        Future<T> task = worker.submit(() -> work.apply(trainer));
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            task.cancel(false); // not started yet: never; started: it runs to its end
            throw e;
        }
    }

    /**
     * Admin work on the trainer's thread. If the trainer does not get to it within {@code mlp.api.admin-timeout}
     * it is withdrawn and refused (503), so that a change the caller was told failed never happens later;
     * once started, it is waited for.
     */
    public <T> T callAdmin(Function<OnlineTrainer, T> work) throws Exception {
        Future<T> task = worker.submit(() -> work.apply(trainer));
        try {
            return task.get(config.api().adminTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (task.cancel(false)) {
                throw new Refused(503, "Trainer busy", "the trainer did not get to this within "
                        + config.api().adminTimeout().toSeconds() + " s; nothing was changed, try again");
            }
            return task.get(); // it started just now: its outcome is the answer
        }
    }

    /** Runs work on the trainer's thread; the stage completes when it has run. */
    public CompletionStage<Void> submit(Runnable work) {
        return CompletableFuture.runAsync(work, worker);
    }

    public void every(long millis, Runnable work) {
        worker.scheduleWithFixedDelay(work, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The offsets the restored checkpoint resumes from; waits for the restore to finish first. */
    public Map<String, Long> resumeOffsets() {
        try {
            restored.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return resumeOffsets;
    }

    /** Whether the model was restored from a snapshot (else it is fresh); waits for the restore to finish first. */
    public boolean restored() {
        resumeOffsets();
        return wasRestored;
    }

    /** Null until the model is built or restored. */
    public OnlineTrainer trainer() {
        return trainer;
    }

    public String name() {
        return config.modelName();
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

    @PreDestroy
    void stop() {
        if (worker == null) return;
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
