package io.mlpstream.pipeline;

import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingEvent;
import io.mlpstream.learn.Examples;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.metrics.ModelMeters;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.LiveState;
import io.mlpstream.service.ModelsListener;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainerThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Every model's {@link ModelTask}s, one per shard of it in this instance (one but in data-parallel mode): a decoded
 * chunk is trained by all of them at once, one per worker, then their outputs are sent in input order from the
 * trainer's thread. Keeps the tasks in step with the set of
 * models (added, removed) and publishes serving switches on training-events.
 */
final class ModelTasks implements ModelsListener {
    private static final Logger LOG = Logger.getLogger(ModelTasks.class);

    private final MlpConfig config;
    private final ModelSet models;
    private final TrainerThreads threads;
    private final Outputs outputs;
    private final Positions positions;
    private final LearningMetrics metrics;
    private final LiveState live;
    private final LateLabels lateLabels;

    /** What a model's task needs of the service while it trains on a worker. */
    record Settings(int metricsEvery, BooleanSupplier ownsPartitions, Function<String, Map<String, Long>> offsets,
                    boolean resetOnDrift, boolean background, int shards, ToIntFunction<TopicPartition> shardOf) {
    }

    /** Per model, one per shard of it in this instance (one but in data-parallel mode); changed on the trainer's thread only. */
    private final Map<String, List<ModelTask>> tasks = new LinkedHashMap<>();
    private final Settings settings;
    /** Data-parallel: the instance's shards; else null. */
    private final ShardSync sync;

    /** A task for each model built at start; later ones come through {@link #added}. */
    ModelTasks(Pipeline.Parts parts, LateLabels lateLabels) {
        this.config = parts.config();
        this.models = parts.models();
        this.threads = parts.threads();
        this.outputs = parts.outputs();
        this.positions = parts.positions();
        this.metrics = parts.metrics();
        this.live = parts.live();
        this.lateLabels = lateLabels;
        this.sync = parts.sync();
        settings = new Settings(config.training().metricsEvery(), () -> !positions.assigned().isEmpty(), positions::learnedOffsets,
                config.drift().resetOnDrift(), config.drift().background(),
                parts.sync() == null ? 1 : parts.sync().count(), parts.sync() == null ? tp -> 0 : parts.sync()::shardOf);
        models.all().forEach(this::addTask);
        models.listen(this);
    }

    private void addTask(RunningModel model) {
        ModelMeters meters = metrics.bind(model);
        List<ModelTask> shards = new ArrayList<>();
        for (RunningModel shard : model.shards()) {
            shards.add(new ModelTask(shard, shards.size(), meters, positions.inModel(model.name()), settings));
        }
        tasks.put(model.name(), shards);
    }

    /** The task of the model's shard that learns the partition's records. */
    private ModelTask taskOf(String model, TopicPartition partition) {
        List<ModelTask> shards = tasks.get(model);
        return shards.size() == 1 ? shards.get(0) : shards.get(settings.shardOf().applyAsInt(partition));
    }

    private List<ModelTask> allTasks() {
        List<ModelTask> all = new ArrayList<>();
        tasks.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void added(RunningModel model) {
        addTask(model);
        positions.startAtNext(model.name()); // added at run time: it learns from the next record on
    }

    @Override
    public void removed(RunningModel model) {
        tasks.remove(model.name());
        positions.forget(model.name());
        metrics.unbind(model.name());
    }

    @Override
    public void servingChanged(String from, String to) {
        metrics.servingSwitched();
        RunningModel m = models.get(to).orElseThrow();
        outputs.event(to, new TrainingEvent(to, TrainingEvent.SERVING, m.trainer().step(), m.trainer().accuracy().seen(), from, to,
                System.currentTimeMillis()));
    }

    /**
     * Every model trains on the chunk, each shard of it on a worker; the k-th model of the chunk learns the rows whose
     * route names k (each shard those of its partitions).
     */
    void train(Examples chunk, List<Source> sources, List<RunningModel> all) {
        if (settings.shards() > 1) sync.deal(positions.assigned()); // after a rebalance, before the workers read the deal
        List<ModelTask> chunkTasks = new ArrayList<>(all.size());
        for (int k = 0; k < all.size(); k++) {
            for (ModelTask task : tasks.get(all.get(k).name())) {
                task.place(k);
                chunkTasks.add(task);
            }
        }
        threads.eachInParallel(chunkTasks, task -> task.process(chunk, sources));
    }

    /**
     * Row by row, in input order: the serving model's prediction, then every model's when several run; then each
     * model's training-metrics records and snapshots.
     */
    void publish(List<Source> sources, List<RunningModel> all) {
        String serving = models.servingName();
        boolean several = all.size() > 1;
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            if (!s.route().publish()) continue;
            if (s.isLate()) { // learned above; its predictions were published when the image arrived
                outputs.consumed(s.partition(), s.offset() + 1);
                continue;
            }
            List<Prediction> made = s.label() == null ? new ArrayList<>(all.size()) : null;
            for (RunningModel m : all) {
                ModelTask task = taskOf(m.name(), s.partition());
                Prediction p = task.prediction(i);
                if (p == null) continue;
                boolean serves = m.name().equals(serving);
                Runnable counted = () -> task.meters.prediction(p.correct(), s.timestamp());
                if (serves && Boolean.FALSE.equals(p.correct())) {
                    live.misclassified(p.id(), m.name(), s.label(), p.predicted(), p.confidence(), s.pixels(), s.width());
                }
                if (serves) outputs.prediction(p, s.timestamp(), several, s.partition(), counted);
                if (several) outputs.modelPrediction(p, s.timestamp(), s.partition(), serves ? () -> { } : counted);
                if (made != null) made.add(p);
            }
            // before its offset: the waiting image is in the same transaction as its prediction
            if (made != null) {
                lateLabels.unlabeled(s.id(), s.width(), s.pixels().length / s.width(), s.pixels(), made, s.partition(), s.offset(), s.timestamp());
            } else {
                lateLabels.labeled(s.id(), s.label(), s.timestamp());
            }
            outputs.consumed(s.partition(), s.offset() + 1);
        }
        for (RunningModel m : all) tasks.get(m.name()).forEach(task -> task.sent(sources.size()));
        if (!sources.isEmpty()) live.examplesArrived();
        sendSteps();
        models.chooseServing();
    }

    /** Partial batches whose oldest example has waited idle-flush are trained. */
    void flushIfIdle() {
        eachBuffered(task -> task.model.trainer().flushIfIdle(task));
        sendSteps();
    }

    /** Every model learns what it has buffered now (before a data-parallel sync: every shard at once, on the workers). */
    void flush() {
        eachBuffered(task -> task.model.trainer().flush(task));
        sendSteps();
    }

    private void eachBuffered(Consumer<ModelTask> work) {
        List<ModelTask> buffered = allTasks();
        buffered.removeIf(task -> task.model.trainer().buffered() == 0);
        if (settings.shards() > 1) threads.eachInParallel(buffered, work);
        else buffered.forEach(work); // on the trainer's thread, as always: a model's idle flush is short
    }

    /** At shutdown: every model learns what it has buffered, and a last snapshot of each is written. */
    void flushAndSnapshot() {
        for (ModelTask task : allTasks()) {
            task.model.trainer().flush(task);
            if (!positions.assigned().isEmpty()) {
                byte[] bytes = task.model.snapshot(positions.learnedOffsets(task.model.name()));
                if (bytes != null) task.snapshots.add(new ModelTask.Snapshot(bytes, task.model.trainer().step()));
            }
        }
        sendSteps();
    }

    private void sendSteps() {
        for (ModelTask task : allTasks()) {
            for (var report : task.reports) outputs.metrics(task.model.name(), report, metrics::metricsSendFailed);
            for (var s : task.snapshots) models.writeCheckpoint(task.model, s.bytes(), s.step());
            for (TrainingEvent e : task.events) {
                outputs.event(e.model(), e);
                live.trainingEvent(e);
                if (e.type().equals(TrainingEvent.WARNING)) task.meters.driftWarning();
                if (e.type().equals(TrainingEvent.DRIFT)) task.meters.driftDetected();
                LOG.warnf("Model %s: %s after %d scored examples (step %d)%s", e.model(), e.type(), e.examples(), e.step(),
                        e.type().equals(TrainingEvent.DRIFT) ? ": its error rate rose (mlp.drift.reaction=" + config.drift().reaction() + ")" : "");
            }
            task.reports.clear();
            task.snapshots.clear();
            task.events.clear();
        }
    }
}
