package io.mlpstream.messaging;

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.LiveState;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Publishes the consumer lag itself: end offsets of the assigned partitions minus what was processed. */
@ApplicationScoped
public class LagMonitor {
    private static final Logger LOG = Logger.getLogger(LagMonitor.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Inject
    TrainingService training;

    @Inject
    LearningMetrics metrics;

    @Inject
    LiveState live;

    @Inject
    LabelRecords labels;

    /** Image records not yet processed, at the last measurement: labels wait for them (LabelRecords). */
    private volatile long imagesBehind = Long.MAX_VALUE;
    private volatile Map<TopicPartition, Long> behindBy = Map.of();
    private ScheduledExecutorService timer;
    private Admin admin;

    void start(@Observes StartupEvent event) {
        admin = Admin.create(KafkaSettings.forClient(kafka, AdminClientConfig.configNames()));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlp-lag");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::measure, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) timer.shutdownNow();
        if (admin != null) admin.close(Duration.ofSeconds(2));
    }

    /** True when the last measurement found every image processed. */
    boolean imagesCaughtUp() {
        return imagesBehind == 0;
    }

    /** True when the last measurement found this partition read to its end (not yet measured: false). */
    boolean caughtUp(TopicPartition tp) {
        return behindBy.getOrDefault(tp, 1L) == 0;
    }

    private void measure() {
        Set<TopicPartition> assigned = partitions.assigned();
        if (assigned.isEmpty()) return;
        try {
            var ends = admin.listOffsets(assigned.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get(5, TimeUnit.SECONDS);
            long lag = 0, images = 0;
            Map<TopicPartition, Long> left = new HashMap<>();
            for (var e : ends.entrySet()) {
                long next = training.nextOffsets().getOrDefault(e.getKey().topic() + "-" + e.getKey().partition(), 0L);
                long behind = Math.max(0, e.getValue().offset() - next);
                lag += behind;
                left.put(e.getKey(), behind);
                if (!labels.isLabels(e.getKey().topic())) images += behind;
            }
            behindBy = left;
            imagesBehind = images;
            metrics.lag(lag);
            live.lag(lag);
        } catch (Exception e) {
            LOG.debugf("lag measurement failed: %s", e.getMessage());
        }
    }
}
