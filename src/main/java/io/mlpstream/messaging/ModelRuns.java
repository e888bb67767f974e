package io.mlpstream.messaging;

import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingEvent;
import io.mlpstream.learn.Examples;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.LiveState;
import io.mlpstream.service.ModelsListener;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainerThreads;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Every model's {@link ModelRun}: a decoded chunk is trained by all models at once, one per worker, then
 * their outputs are sent in input order from the trainer's thread. Keeps the runs in step with the set of
 * models (added, removed) and publishes serving switches on training-events.
 */
@ApplicationScoped
public class ModelRuns implements ModelsListener {
    private static final Logger LOG = Logger.getLogger(ModelRuns.class);

    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @Inject
    TrainerThreads threads;

    @Inject
    Outputs outputs;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Inject
    LearningMetrics metrics;

    @Inject
    LiveState live;

    @Inject
    LateLabels lateLabels;

    /** What a model's run needs of the service while it trains on a worker. */
    record Settings(int metricsEvery, BooleanSupplier ownsPartitions, Function<String, Map<String, Long>> offsets,
                    boolean resetOnDrift, boolean background) {
    }

    /** One per model; changed on the trainer's thread only. */
    private final Map<String, ModelRun> runs = new LinkedHashMap<>();
    private Settings settings;

    /** The models built at start; later ones come through {@link #added}. */
    void start() {
        settings = new Settings(config.training().metricsEvery(), () -> !partitions.assigned().isEmpty(), partitions::learnedOffsets,
                config.drift().resetOnDrift(), config.drift().background());
        models.all().forEach(this::run);
        models.listen(this);
    }

    private void run(RunningModel model) {
        runs.put(model.name(), new ModelRun(model, metrics.bind(model), partitions.inModel(model.name()), settings));
    }

    @Override
    public void added(RunningModel model) {
        run(model);
        partitions.startAtNext(model.name()); // added at run time: it learns from the next record on
    }

    @Override
    public void removed(RunningModel model) {
        runs.remove(model.name());
        partitions.forget(model.name());
        metrics.unbind(model.name());
    }

    @Override
    public void servingChanged(String from, String to) {
        metrics.servingSwitched();
        RunningModel m = models.get(to).orElseThrow();
        outputs.event(to, new TrainingEvent(to, TrainingEvent.SERVING, m.trainer().step(), m.trainer().accuracy().seen(), from, to,
                System.currentTimeMillis()));
    }

    /** Every model trains on the chunk, each on a worker; the k-th model of the chunk learns the rows whose route names k. */
    void train(Examples chunk, List<TrainingService.Source> sources, List<RunningModel> all) {
        List<ModelRun> chunkRuns = new ArrayList<>(all.size());
        for (int k = 0; k < all.size(); k++) {
            ModelRun run = runs.get(all.get(k).name());
            run.place(k);
            chunkRuns.add(run);
        }
        threads.eachInParallel(chunkRuns, run -> run.process(chunk, sources));
    }

    /**
     * Row by row, in input order: the serving model's prediction, then every model's when several run; then each
     * model's training-metrics records and snapshots.
     */
    void publish(List<TrainingService.Source> sources, List<RunningModel> all) {
        String serving = models.servingName();
        boolean several = all.size() > 1;
        for (int i = 0; i < sources.size(); i++) {
            TrainingService.Source s = sources.get(i);
            if (!s.route().publish()) continue;
            if (s.isLate()) { // learned above; its predictions were published when the image arrived
                outputs.consumed(s.partition(), s.offset() + 1);
                continue;
            }
            List<Prediction> made = s.label() == null ? new ArrayList<>(all.size()) : null;
            for (RunningModel m : all) {
                ModelRun run = runs.get(m.name());
                Prediction p = run.prediction(i);
                if (p == null) continue;
                boolean serves = m.name().equals(serving);
                Runnable counted = () -> run.meters.prediction(p.correct(), s.timestamp());
                if (serves && Boolean.FALSE.equals(p.correct())) {
                    live.misclassified(p.id(), m.name(), s.label(), p.predicted(), p.confidence(), s.pixels(), s.width());
                }
                if (serves) outputs.prediction(p, s.timestamp(), s.partition(), counted);
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
        for (RunningModel m : all) runs.get(m.name()).sent(sources.size());
        if (!sources.isEmpty()) live.examplesArrived();
        sendSteps();
        models.chooseServing();
    }

    /** Partial batches whose oldest example has waited idle-flush are trained. */
    void flushIfIdle() {
        for (ModelRun run : runs.values()) run.model.trainer().flushIfIdle(run);
        sendSteps();
    }

    /** At shutdown: every model learns what it has buffered, and a last snapshot of each is written. */
    void flushAndSnapshot() {
        for (ModelRun run : runs.values()) {
            run.model.trainer().flush(run);
            if (!partitions.assigned().isEmpty()) {
                byte[] bytes = run.model.snapshot(partitions.learnedOffsets(run.model.name()));
                if (bytes != null) run.snapshots.add(new ModelRun.Snapshot(bytes, run.model.trainer().step()));
            }
        }
        sendSteps();
    }

    private void sendSteps() {
        for (ModelRun run : runs.values()) {
            for (var report : run.reports) outputs.metrics(run.model.name(), report, metrics::metricsSendFailed);
            for (var s : run.snapshots) models.writeCheckpoint(run.model, s.bytes(), s.step());
            for (TrainingEvent e : run.events) {
                outputs.event(e.model(), e);
                live.trainingEvent(e);
                if (e.type().equals(TrainingEvent.WARNING)) run.meters.driftWarning();
                if (e.type().equals(TrainingEvent.DRIFT)) run.meters.driftDetected();
                LOG.warnf("Model %s: %s after %d scored examples (step %d)%s", e.model(), e.type(), e.examples(), e.step(),
                        e.type().equals(TrainingEvent.DRIFT) ? ": its error rate rose (mlp.drift.reaction=" + config.drift().reaction() + ")" : "");
            }
            run.reports.clear();
            run.snapshots.clear();
            run.events.clear();
        }
    }
}
