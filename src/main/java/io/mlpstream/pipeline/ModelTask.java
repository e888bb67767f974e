package io.mlpstream.pipeline;

import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingEvent;
import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.BackgroundRetraining;
import io.mlpstream.learn.DriftWatch;
import io.mlpstream.learn.Learner;
import io.mlpstream.nn.Kernels;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.metrics.ModelMeters;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainingReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One model's part of a chunk (data-parallel with several shards here: one shard's part, the rows of its partitions).
 * A worker drives the model through the chunk (predict, buffer, step) while the other models, or shards, do the same
 * on other workers; what is to be published (predictions, training-metrics
 * records, snapshots) is kept here, and the trainer's thread sends it afterwards, in order.
 */
final class ModelTask implements TrainingListener {
    final RunningModel model;
    final ModelMeters meters;
    private final Map<TopicPartition, Long> inModel;
    private final ModelTasks.Settings settings;
    /** Which of this instance's shards of the model this is (0 but in data-parallel mode with several): it learns the rows of its partitions. */
    private final int shard;
    /** mlp.drift.reaction=background: the fresh copy that learns beside the model from a warning on; else null. */
    private final BackgroundRetraining retraining;
    private List<Source> sources = List.of();
    private int place;
    private int[] labels = new int[512];
    private int[] scoredAs = new int[512];
    private Prediction[] predictions = new Prediction[512];
    /** One shard of several: this shard's rows of the chunk (their indices in {@link #rowOf}), copied; else unused. */
    private final Examples part;
    private int[] rowOf = new int[512], partLabels = new int[512], partScoredAs = new int[512];
    private boolean inPart;
    final List<TrainingMetrics> reports = new ArrayList<>();
    /** Drift warnings, detections and resets of the last chunk, for training-events. */
    final List<TrainingEvent> events = new ArrayList<>();
    /** A snapshot taken on the worker, written by the trainer's thread. */
    record Snapshot(byte[] bytes, long step) {
    }

    final List<Snapshot> snapshots = new ArrayList<>();
    /** Its starting point was taken (or it needs none): see {@link RunningModel#startingSnapshot}. */
    private boolean started;

    ModelTask(RunningModel model, int shard, ModelMeters meters, Map<TopicPartition, Long> inModel, ModelTasks.Settings settings) {
        // the copy is made as the model now is (a restored model keeps its own settings), fresh weights
        this.retraining = settings.background() ? new BackgroundRetraining(() -> new OnlineTrainer(Learner.create(
                model.trainer().learner().config(), model.trainer().learner().rule().config(), Kernels.best()), model.trainer().config())) : null;
        this.model = model;
        this.meters = meters;
        this.inModel = inModel;
        this.settings = settings;
        this.shard = shard;
        this.part = settings.shards() > 1 ? new Examples(512, model.trainer().learner().config().inputSize()) : null;
    }

    /** This model's place in the chunk's order, as each source's route numbers the models. */
    void place(int k) {
        this.place = k;
    }

    /** Trains on a chunk. On a worker. */
    void process(Examples chunk, List<Source> rows) {
        if (!started && settings.ownsPartitions().getAsBoolean()) { // before it learns anything, in its first outputs' unit
            byte[] start = model.startingSnapshot(settings.offsets().apply(model.name()));
            if (start != null) snapshots.add(new Snapshot(start, model.trainer().step()));
            started = start != null || model.restored() || shard > 0; // a copy has no snapshot of its own
        }
        this.sources = rows;
        if (labels.length < chunk.size()) {
            labels = new int[chunk.size()];
            predictions = new Prediction[chunk.size()];
        }
        if (scoredAs.length < chunk.size()) scoredAs = new int[chunk.size()];
        boolean learnsAll = true, late = false;
        for (int i = 0; i < chunk.size(); i++) {
            Source s = rows.get(i);
            boolean mine = settings.shardOf().applyAsInt(s.partition()) == shard, learns = mine && learns(s);
            // a row another model replays, published before and learned by this one: not this model's (review 16);
            // a row of another shard's partition: neither predicted nor learned here
            labels[i] = learns ? chunk.label(i) : mine && s.route().publish() ? Examples.UNLABELED : Examples.SKIPPED;
            learnsAll &= labels[i] == chunk.label(i);
            if (learns) meters.example(chunk.isLabeled(i));
            scoredAs[i] = arrivalPrediction(s);
            late |= scoredAs[i] >= 0;
        }
        Examples examples = part != null ? ownRows(chunk, late)
                : late ? chunk.relabeled(labels, scoredAs) : learnsAll ? chunk : chunk.relabeled(labels);
        model.trainer().process(examples, this);
        inPart = false;
        // the copy is scored by its own predictions: the arrival predictions were the model's
        OnlineTrainer better = retraining == null ? null : retraining.learn(late ? chunk.relabeled(labels) : examples);
        if (better != null) { // the copy trained since the warning predicts better: it replaces the model's weights
            model.trainer().adopt(better);
            model.checkpointSoon();
            events.add(TrainingEvent.of(model.name(), TrainingEvent.SWAP, model.trainer().step(), model.trainer().accuracy().seen()));
        }
    }

    /** One shard of several: the rows it predicts or learns, copied, so that it runs no forward pass on the others'. */
    private Examples ownRows(Examples chunk, boolean late) {
        if (rowOf.length < chunk.size()) {
            rowOf = new int[chunk.size()];
            partLabels = new int[chunk.size()];
            partScoredAs = new int[chunk.size()];
        }
        int n = 0;
        for (int i = 0; i < chunk.size(); i++) {
            if (labels[i] == Examples.SKIPPED) continue;
            rowOf[n] = i;
            partLabels[n] = labels[i];
            partScoredAs[n++] = scoredAs[i];
        }
        inPart = true;
        return chunk.select(rowOf, n, partLabels, late ? partScoredAs : null, part);
    }

    /** A late example is scored by this model's prediction made when the image arrived (-1: none, score it now). */
    private int arrivalPrediction(Source s) {
        if (!s.isLate()) return -1;
        Prediction p = s.late().predictionOf(model.name());
        return p == null ? -1 : p.predicted();
    }

    private boolean learns(Source s) {
        return s.route().learns(place);
    }

    /** The prediction of row i, if it is to be published. Read by the trainer's thread after the chunk. */
    Prediction prediction(int i) {
        return predictions[i];
    }

    /** Forgets the last chunk's predictions once they are sent (its steps' records are sent and cleared apart). */
    void sent(int rows) {
        Arrays.fill(predictions, 0, Math.min(rows, predictions.length), null);
        sources = List.of();
    }

    @Override
    public void onPrediction(int row, int predicted, float[] logProbs, float loss, long modelStep) {
        int index = inPart ? rowOf[row] : row; // the row's place in the chunk
        Source s = sources.get(index);
        if (learns(s)) inModel.put(s.partition(), s.offset() + 1);
        int scored = scoredAs[index] >= 0 ? scoredAs[index] : predicted;
        if (labels[index] != Examples.UNLABELED) watch(scored != s.label()); // scored: labeled, learned by this model
        if (!s.route().publish() || s.isLate()) return; // published before
        long version = model.version();
        predictions[index] = Prediction.of(s.id(), logProbs, s.label(), model.name(), modelStep, version < 0 ? modelStep : version,
                System.currentTimeMillis());
    }

    /** The model's error stream, test-then-train: a warning or a drift is published, and answered as configured. */
    private void watch(boolean wrong) {
        if (retraining != null) retraining.oldScored(!wrong);
        DriftWatch.Signal signal = model.drift().add(wrong);
        if (signal == DriftWatch.Signal.NONE) return;
        if (retraining != null) {
            if (signal == DriftWatch.Signal.WARNING) retraining.warning();
            else retraining.drift();
        }
        OnlineTrainer t = model.trainer();
        long scored = t.accuracy().seen();
        events.add(TrainingEvent.of(model.name(), signal == DriftWatch.Signal.DRIFT ? TrainingEvent.DRIFT : TrainingEvent.WARNING,
                t.step(), scored));
        if (signal == DriftWatch.Signal.DRIFT && settings.resetOnDrift()) {
            t.resetOptimizer();
            events.add(TrainingEvent.of(model.name(), TrainingEvent.RESET, t.step(), scored));
        }
    }

    @Override
    public void onStep(StepStats stats, OnlineTrainer t) {
        if (shard > 0) { // another shard in this instance: counted; training-metrics and the gauges carry shard 0's steps
            meters.countStep(stats);
            return;
        }
        meters.step(stats);
        TrainingMetrics report = TrainingReport.of(model.name(), stats, t);
        if (t.step() % settings.metricsEvery() == 0) reports.add(report);
        model.reported(report); // the newest, for the live page, whatever metrics-every says; it samples ten a second
        // the buffer is empty now: everything learned so far is in the weights, so the offsets are exact
        // not while a rebalance has taken every partition: a snapshot naming none would replay them all
        if (!stats.skipped && model.checkpointDue() && settings.ownsPartitions().getAsBoolean()) {
            byte[] bytes = model.snapshot(settings.offsets().apply(model.name()));
            if (bytes != null) snapshots.add(new Snapshot(bytes, t.step()));
        }
    }
}
