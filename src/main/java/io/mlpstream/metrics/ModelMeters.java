package io.mlpstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import io.mlpstream.service.RunningModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one model, every one labelled {@code model}: its examples, predictions, steps, loss,
 * accuracy and per-layer gradients. A model's workers (one per shard in data-parallel mode) and the trainer's thread
 * update them: counters and timers are safe for that; the loss and layer gauges are shard 0's alone, as are step and
 * kappa, while the accuracies and examples are pooled over this instance's shards.
 */
public final class ModelMeters {
    private static final double SMOOTHING = 0.98;

    private final MeterRegistry registry;
    private final Tags m;
    private final Counter labeled;
    private final Counter unlabeled;
    private final Counter correct;
    private final Counter wrong;
    private final Counter unscored;
    private final Counter steps;
    private final Counter skipped;
    private final Counter lostToRetention;
    private final Counter driftWarnings;
    private final Counter driftDetected;
    private final Timer stepDuration;
    private final Timer latency;
    private final Map<String, Layer> layerValues = new ConcurrentHashMap<>();
    private volatile double loss = Double.NaN;
    private volatile double smoothedLoss = Double.NaN;
    private volatile double gradientNorm;

    /** {@code lag}: the service's, for every model. */
    ModelMeters(MeterRegistry registry, RunningModel model, AtomicLong lag) {
        this.registry = registry;
        this.m = Tags.of("model", model.name());
        Supplier<OnlineTrainer> trainer = model::trainer;
        LongSupplier version = () -> model.version() < 0 ? model.trainer().step() : model.version();
        labeled = counter("mlp_examples", "Examples received, by kind (labeled or unlabeled)", m.and("kind", "labeled"));
        unlabeled = counter("mlp_examples", "Examples received, by kind (labeled or unlabeled)", m.and("kind", "unlabeled"));
        correct = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "correct"));
        wrong = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "wrong"));
        unscored = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "unlabeled"));
        steps = counter("mlp_training_steps", "Training steps taken", m);
        lostToRetention = counter("mlp_records_lost_to_retention", "Input records deleted by retention before the restored model could learn them", m);
        driftWarnings = counter("mlp_drift_warnings", "Drift warnings of the model's error stream (the looser detector)", m);
        driftDetected = counter("mlp_drift_detected", "Drifts detected in the model's error stream: its error rate rose", m);
        skipped = counter("mlp_skipped_steps", "Training steps skipped because the loss or a gradient was not finite", m);
        stepDuration = Timer.builder("mlp_step_duration").description("Duration of one training step (forward, backward, update)")
                .tags(m).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(2)).register(registry);
        latency = Timer.builder("mlp_end_to_end_latency").description("From the input record's timestamp to its prediction being acknowledged by the broker")
                .tags(m).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);

        gauge("mlp_loss", "Training loss (cross-entropy) of the last step", m, this, x -> x.loss);
        gauge("mlp_loss_smoothed", "Training loss, exponentially smoothed over about 50 steps", m, this, x -> x.smoothedLoss);
        gauge("mlp_prequential_accuracy_ratio", "Test-then-train accuracy since the start (over this instance's shards)", m, model,
                RunningModel::prequentialAccuracy);
        gauge("mlp_window_accuracy_ratio", "Test-then-train accuracy over the sliding window (over this instance's shards)", m, model,
                RunningModel::windowAccuracy);
        gauge("mlp_window_kappa", "Cohen's kappa of the predictions over the sliding window (-1..1)", m, trainer, t -> t.get().accuracy().kappa());
        gauge("mlp_learning_rate", "Learning rate of the optimizer", m, trainer, t -> t.get().learner().rule().config().lr());
        gauge("mlp_gradient_norm", "Global L2 norm of all gradients at the last step, before clipping", m, this, x -> x.gradientNorm);
        gauge("mlp_model_step", "Training steps the model has taken, across restarts", m, trainer, t -> t.get().step());
        gauge("mlp_examples_trained", "Labeled examples the model has trained on, across restarts (this instance's shards)", m,
                model, x -> x.shards().stream().mapToLong(shard -> shard.trainer().examplesTrained()).sum());
        gauge("mlp_model_version", "The model's version: data-parallel, the newest the averager published that this instance has; "
                + "single mode, its step", m, version, v -> v.getAsLong());
        List<RunningModel> shards = model.shards();
        for (int i = 0; i < shards.size(); i++) {
            RunningModel shard = shards.get(i);
            FunctionCounter.builder("mlp_shard_examples", shard, x -> x.trainer().examplesTrained())
                    .description("Labeled examples each of this instance's shards of the model has trained on (single mode: shard 0)")
                    .tags(m.and("shard", String.valueOf(i))).register(registry);
        }
        gauge("mlp_consumer_lag_records", "Records in the input topic not yet processed, measured by the service", m, lag, AtomicLong::get);
        gauge("mlp_checkpoint_age_seconds", "Seconds since the last model snapshot was stored or restored", m, model,
                RunningModel::checkpointAgeSeconds);
        FunctionCounter.builder("mlp_checkpoint_failures", model, x -> x.checkpointFailures())
                .description("Model snapshots that could not be stored").tags(m).register(registry);
        for (String layer : model.trainer().learner().layerNames()) {
            Layer v = layerValues.computeIfAbsent(layer, k -> new Layer());
            Tags l = m.and("layer", layer);
            gauge("mlp_layer_weight_gradient_norm", "L2 norm of the layer's weight gradient at the last step", l, v, a -> a.weightGradNorm);
            gauge("mlp_layer_bias_gradient_norm", "L2 norm of the layer's bias gradient at the last step", l, v, a -> a.biasGradNorm);
            gauge("mlp_layer_weight_norm", "L2 norm of the layer's weights", l, v, a -> a.weightNorm);
            gauge("mlp_layer_dead_units_ratio", "Fraction of the layer's ReLU units inactive for the whole last batch", l, v, a -> a.deadFraction);
            gauge("mlp_layer_update_ratio", "Norm of the layer's last measured weight update over the norm of its weights (DL4J's update:parameter ratio)",
                    l, v, a -> a.updateRatio);
        }
    }

    public void example(boolean isLabeled) {
        (isLabeled ? labeled : unlabeled).increment();
    }

    /** A prediction of this model was committed; its latency is measured from the input record's timestamp. */
    public void prediction(Boolean wasCorrect, long recordTimestampMillis) {
        (wasCorrect == null ? unscored : wasCorrect ? correct : wrong).increment();
        if (recordTimestampMillis > 0) {
            latency.record(Math.max(0, System.currentTimeMillis() - recordTimestampMillis), TimeUnit.MILLISECONDS);
        }
    }

    /** A step of shard 0 (the model itself): counted, and its loss and layers shown. */
    public void step(StepStats stats) {
        countStep(stats);
        loss = stats.loss;
        smoothedLoss = Double.isNaN(smoothedLoss) ? stats.loss : SMOOTHING * smoothedLoss + (1 - SMOOTHING) * stats.loss;
        gradientNorm = stats.gradientNorm;
        for (StepStats.LayerStats l : stats.layers) {
            Layer v = layerValues.get(l.name);
            if (v == null) continue;
            v.weightGradNorm = l.weightGradNorm;
            v.biasGradNorm = l.biasGradNorm;
            v.weightNorm = l.weightNorm;
            v.deadFraction = l.deadFraction;
            v.updateRatio = l.updateRatio;
        }
    }

    /** A step of another shard of the model in this instance (data-parallel): counted; the gauges show shard 0's. */
    public void countStep(StepStats stats) {
        steps.increment();
        if (stats.skipped) skipped.increment();
        stepDuration.record((long) (stats.seconds * 1e9), TimeUnit.NANOSECONDS);
    }

    public void driftWarning() {
        driftWarnings.increment();
    }

    public void driftDetected() {
        driftDetected.increment();
    }

    /** Records lost to retention between a snapshot and its restore. */
    public void lostToRetention(long records) {
        lostToRetention.increment(records);
    }

    /** Removes every meter of this model (it was removed at run time). */
    void remove() {
        for (var meter : List.copyOf(registry.getMeters())) {
            if (meter.getId().getName().startsWith("mlp_") && m.stream().allMatch(t -> t.getValue().equals(meter.getId().getTag(t.getKey())))) {
                registry.remove(meter);
            }
        }
    }

    private Counter counter(String name, String help, Tags tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }

    private <T> void gauge(String name, String help, Tags tags, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(name, obj, f).description(help).tags(tags).strongReference(true).register(registry);
    }

    /** The last step's values of one layer, as its gauges read them. */
    private static final class Layer {
        volatile double weightGradNorm;
        volatile double biasGradNorm;
        volatile double weightNorm;
        volatile double deadFraction;
        volatile double updateRatio = Double.NaN;
    }
}
