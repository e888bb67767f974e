package io.mlpstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mlpstream.service.RunningModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The Prometheus view of learning: one prefix (mlp_), base units, _total counters, _ratio for 0..1,
 * histograms for durations. Labels are bounded: model, layer, reason, outcome, kind. The service's
 * own meters live here; each model's are a {@link ModelMeters}. Everything is registered when the service or
 * the model starts, so no panel is empty just because nothing happened yet.
 */
@ApplicationScoped
public class LearningMetrics {
    private static final Logger LOG = Logger.getLogger(LearningMetrics.class);

    @Inject
    MeterRegistry registry;

    /** Outside CDI (the pipeline's tests): the meters on {@code registry}. */
    public static LearningMetrics on(MeterRegistry registry) {
        LearningMetrics meters = new LearningMetrics();
        meters.registry = registry;
        return meters;
    }

    private Counter metricsSendFailures;
    private Counter beyondLogEnd;
    private Counter servingSwitches;
    private volatile Timer sync;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong();
    private volatile long lastMetricsFailureLog;

    /** Registers the service's meters: dead letters by reason, delivery failures. */
    public void bind(List<String> reasons, LongSupplier commitFailures, LongSupplier dropped) {
        // The injected registry is Micrometer's global composite, which outlives an application restart in
        // the same JVM (the tests do that): a meter registered again would be the old one, its gauges still
        // reading the old model. So ours are removed first.
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (meter.getId().getName().startsWith("mlp_")) registry.remove(meter);
        }
        models.clear();
        beyondLogEnd = counter("mlp_offsets_beyond_log_end", "Partitions whose snapshot offset was beyond the topic's end (recreated or truncated topic)", Tags.empty());
        metricsSendFailures = counter("mlp_training_metrics_send_failures", "Training-metrics records that could not be sent", Tags.empty());
        servingSwitches = counter("mlp_serving_switches", "Changes of the serving model (mlp.serving-model=best, or a removal)", Tags.empty());
        for (String reason : reasons) {
            deadLetters.put(reason, counter("mlp_dlq_records", "Records sent to the dead-letter topic, by reason", Tags.of("reason", reason)));
        }
        FunctionCounter.builder("mlp_output_commit_failures", commitFailures, f -> (double) f.getAsLong())
                .description("Commits of the outputs and input offsets that failed, each retried until it succeeds").register(registry);
        sync = syncTimer();
        FunctionCounter.builder("mlp_outputs_dropped", dropped, f -> (double) f.getAsLong())
                .description("Predictions and dead letters the broker refused for good (too large even truncated)").register(registry);
    }

    /** The commits of the outputs with their input offsets: the trainer's thread waits for each. */
    public void bindCommits(LongSupplier commits, LongSupplier nanos) {
        FunctionTimer.builder("mlp_output_commit", this, m -> commits.getAsLong(), m -> nanos.getAsLong(), TimeUnit.NANOSECONDS)
                .description("Commits of the outputs and input offsets (transactions, or flushes at-least-once), and the time the trainer's thread waited for them")
                .register(registry);
    }

    /** Data-parallel: a shard's sync (its models learn what is buffered, their updates go out, the unit commits). */
    public void synced(long nanos) {
        if (sync == null) sync = syncTimer(); // outside CDI, bind() may not have run
        sync.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer syncTimer() {
        return Timer.builder("mlp_sync").description("Data-parallel: a shard's sync, from its models learning what is buffered "
                        + "to its update and outputs committed (single mode: none)").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    /** Registers a model's meters. */
    public ModelMeters bind(RunningModel model) {
        ModelMeters meters = new ModelMeters(registry, model, lag);
        models.put(model.name(), meters);
        return meters;
    }

    /** A model removed at run time: its meters go too, so that no panel shows a model that is gone. */
    public void unbind(String model) {
        ModelMeters meters = models.remove(model);
        if (meters != null) meters.remove();
    }

    /** Records of one model lost to retention between a snapshot and its restore. */
    public void offsetsOutOfRetention(String model, long records) {
        ModelMeters m = models.get(model);
        if (m != null) m.lostToRetention(records);
    }

    /** A partition whose snapshot offset lies beyond its log end: learned again from its earliest offset. */
    public void offsetsBeyondLogEnd() {
        beyondLogEnd.increment();
    }

    public void servingSwitched() {
        servingSwitches.increment();
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
}
