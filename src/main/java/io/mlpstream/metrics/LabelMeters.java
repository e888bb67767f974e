package io.mlpstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Labels that come later: how long they take (a histogram), how many images and labels wait, how many were
 * matched, how many images expired unlabeled, and the labels that could not be used, by reason.
 * Registered after {@link LearningMetrics#bind}, which clears every mlp_ meter of an earlier start.
 */
@ApplicationScoped
public class LabelMeters {
    @Inject
    MeterRegistry registry;

    /** Outside CDI (the pipeline's tests): the meters on {@code registry}. */
    public static LabelMeters on(MeterRegistry registry) {
        LabelMeters meters = new LabelMeters();
        meters.registry = registry;
        return meters;
    }

    private Timer delay;
    private Counter matched;
    private Counter expired;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();

    public void bind(List<String> reasons, IntSupplier waitingImages, IntSupplier waitingLabels) {
        delay = Timer.builder("mlp_label_delay").description("From an image's record timestamp to its label's, for labels that came after their image")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2)).register(registry);
        matched = Counter.builder("mlp_labels_matched").description("Labels that came later and were matched to their image")
                .register(registry);
        expired = Counter.builder("mlp_labels_expired").description(
                "Unlabeled images whose label did not come within mlp.labels.max-delay, or pushed out by max-pending").register(registry);
        for (String reason : reasons) {
            refused.put(reason, Counter.builder("mlp_labels_dlq_records").description("Labels sent to labels-dlq, by reason")
                    .tags(Tags.of("reason", reason)).register(registry));
        }
        Gauge.builder("mlp_labels_pending_images", waitingImages, s -> s.getAsInt())
                .description("Unlabeled images waiting for their label").strongReference(true).register(registry);
        Gauge.builder("mlp_labels_pending_labels", waitingLabels, s -> s.getAsInt())
                .description("Labels waiting for their image (it has not arrived yet)").strongReference(true).register(registry);
    }

    public void matched() {
        matched.increment();
    }

    /** A label that came after its image: how long after (a label that came first has no delay to measure). */
    public void delay(long delayMillis) {
        delay.record(delayMillis, TimeUnit.MILLISECONDS);
    }

    public void expired(int images) {
        expired.increment(images);
    }

    public void refused(String reason) {
        refused.get(reason).increment();
    }
}
