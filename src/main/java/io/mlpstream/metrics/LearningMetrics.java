package io.mlpstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * The Prometheus view of learning: one prefix (mlp_), base units, _total counters, _ratio for 0..1,
 * histograms for durations. Labels are bounded: model, layer, reason, outcome, kind. Everything is
 * registered when the model is bound, so no panel is empty just because nothing happened yet.
 */
@ApplicationScoped
public class LearningMetrics {
    private static final Logger LOG = Logger.getLogger(LearningMetrics.class);
    private static final double SMOOTHING = 0.98;

    @Inject
    MeterRegistry registry;

    private Counter labeled;
    private Counter unlabeled;
    private Counter correct;
    private Counter wrong;
    private Counter unscored;
    private Counter steps;
    private Counter skipped;
    private Counter lostToRetention;
    private Counter metricsSendFailures;
    private Counter beyondLogEnd;
    private Timer stepDuration;
    private Timer latency;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Layer> layerValues = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong();
    private volatile double loss = Double.NaN;
    private volatile double smoothedLoss = Double.NaN;
    private volatile double gradientNorm;
    private volatile long lastMetricsFailureLog;

    /** Registers every meter for this model, its layers and every DLQ reason. */
    public void bind(String model, OnlineTrainer trainer, List<String> layers, List<String> reasons) {
        // The injected registry is Micrometer's global composite, which outlives an application restart in
        // the same JVM (the tests do that): a meter registered again would be the old one, its gauges still
        // reading the old model. So ours are removed first.
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (meter.getId().getName().startsWith("mlp_")) registry.remove(meter);
        }
        Tags m = Tags.of("model", model);
        labeled = counter("mlp_examples", "Examples received, by kind (labeled or unlabeled)", m.and("kind", "labeled"));
        unlabeled = counter("mlp_examples", "Examples received, by kind (labeled or unlabeled)", m.and("kind", "unlabeled"));
        correct = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "correct"));
        wrong = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "wrong"));
        unscored = counter("mlp_predictions", "Predictions sent, by outcome (correct, wrong, or unlabeled)", m.and("outcome", "unlabeled"));
        steps = counter("mlp_training_steps", "Training steps taken", m);
        lostToRetention = counter("mlp_records_lost_to_retention", "Input records deleted by retention before the restored model could learn them", m);
        beyondLogEnd = counter("mlp_offsets_beyond_log_end", "Partitions whose snapshot offset was beyond the topic's end (recreated or truncated topic)", m);
        metricsSendFailures = counter("mlp_training_metrics_send_failures", "Training-metrics records that could not be sent", m);
        skipped = counter("mlp_skipped_steps", "Training steps skipped because the loss or a gradient was not finite", m);
        for (String reason : reasons) {
            deadLetters.put(reason, counter("mlp_dlq_records", "Records sent to the dead-letter topic, by reason", Tags.of("reason", reason)));
        }
        stepDuration = Timer.builder("mlp_step_duration").description("Duration of one training step (forward, backward, update)")
                .tags(m).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(2)).register(registry);
        latency = Timer.builder("mlp_end_to_end_latency").description("From the input record's timestamp to its prediction being acknowledged by the broker")
                .tags(m).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);

        gauge("mlp_loss", "Training loss (cross-entropy) of the last step", m, this, x -> x.loss);
        gauge("mlp_loss_smoothed", "Training loss, exponentially smoothed over about 50 steps", m, this, x -> x.smoothedLoss);
        gauge("mlp_prequential_accuracy_ratio", "Test-then-train accuracy since the start", m, trainer, t -> t.accuracy().cumulative());
        gauge("mlp_window_accuracy_ratio", "Test-then-train accuracy over the sliding window", m, trainer, t -> t.accuracy().window());
        gauge("mlp_window_kappa", "Cohen's kappa of the predictions over the sliding window (-1..1)", m, trainer, t -> t.accuracy().kappa());
        gauge("mlp_learning_rate", "Learning rate of the optimizer", m, trainer, t -> t.learner().rule().config().lr());
        gauge("mlp_gradient_norm", "Global L2 norm of all gradients at the last step, before clipping", m, this, x -> x.gradientNorm);
        gauge("mlp_model_step", "Training steps the model has taken, across restarts", m, trainer, OnlineTrainer::step);
        gauge("mlp_examples_trained", "Labeled examples the model has trained on, across restarts", m, trainer, t -> t.examplesTrained());
        gauge("mlp_consumer_lag_records", "Records in the input topic not yet processed, measured by the service", m, lag, AtomicLong::get);
        for (int i = 0; i < layers.size(); i++) {
            String layer = layers.get(i);
            Layer v = layerValues.computeIfAbsent(layer, k -> new Layer());
            Tags l = m.and("layer", layer);
            gauge("mlp_layer_weight_gradient_norm", "L2 norm of the layer's weight gradient at the last step", l, v, a -> a.weightGradNorm);
            gauge("mlp_layer_bias_gradient_norm", "L2 norm of the layer's bias gradient at the last step", l, v, a -> a.biasGradNorm);
            gauge("mlp_layer_weight_norm", "L2 norm of the layer's weights", l, v, a -> a.weightNorm);
            gauge("mlp_layer_dead_units_ratio", "Fraction of the layer's ReLU units inactive for the whole last batch", l, v, a -> a.deadFraction);
        }
    }

    /** Records lost to retention between a snapshot and its restore. */
    public void offsetsOutOfRetention(long records) {
        lostToRetention.increment(records);
    }

    public void checkpoints(String model, DoubleSupplier age, LongSupplier failures) {
        gauge("mlp_checkpoint_age_seconds", "Seconds since the last model snapshot was stored or restored",
                Tags.of("model", model), age, DoubleSupplier::getAsDouble);
        FunctionCounter.builder("mlp_checkpoint_failures", failures, f -> (double) f.getAsLong())
                .description("Model snapshots that could not be stored").tags(Tags.of("model", model)).register(registry);
    }

    /** Commits of outputs and input offsets that failed and were retried; outputs the broker refused for good. */
    public void delivery(LongSupplier commitFailures, LongSupplier dropped) {
        FunctionCounter.builder("mlp_output_commit_failures", commitFailures, f -> (double) f.getAsLong())
                .description("Commits of the outputs and input offsets that failed, each retried until it succeeds").register(registry);
        FunctionCounter.builder("mlp_outputs_dropped", dropped, f -> (double) f.getAsLong())
                .description("Predictions and dead letters the broker refused for good (too large even truncated)").register(registry);
    }

    public void example(boolean isLabeled) {
        (isLabeled ? labeled : unlabeled).increment();
    }

    public void prediction(Boolean wasCorrect, long recordTimestampMillis) {
        (wasCorrect == null ? unscored : wasCorrect ? correct : wrong).increment();
        if (recordTimestampMillis > 0) {
            latency.record(Math.max(0, System.currentTimeMillis() - recordTimestampMillis), TimeUnit.MILLISECONDS);
        }
    }

    public void step(StepStats stats) {
        steps.increment();
        if (stats.skipped) skipped.increment();
        stepDuration.record((long) (stats.seconds * 1e9), TimeUnit.NANOSECONDS);
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
        }
    }

    /** A partition whose snapshot offset lies beyond its log end: learned again from its earliest offset. */
    public void offsetsBeyondLogEnd() {
        beyondLogEnd.increment();
    }

    /** A training-metrics record could not be sent: counted, logged at most once a minute. */
    public void metricsSendFailed(Throwable error) {
        metricsSendFailures.increment();
        long now = System.currentTimeMillis();
        if (now - lastMetricsFailureLog > 60_000) {
            lastMetricsFailureLog = now;
            LOG.warnf("A training-metrics record could not be sent (%s); training goes on, mlp_training_metrics_send_failures_total counts them",
                    error.getMessage());
        }
    }

    public void deadLetter(String reason) {
        Counter c = deadLetters.get(reason);
        if (c != null) c.increment();
    }

    public void lag(long records) {
        lag.set(records);
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
    }
}
