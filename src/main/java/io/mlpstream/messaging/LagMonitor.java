package io.mlpstream.messaging;

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.pipeline.InputOrder;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.LiveState;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
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
public class LagMonitor implements InputOrder.Fetched {
    private static final Logger LOG = Logger.getLogger(LagMonitor.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Inject
    PipelineRunner training;

    @Inject
    LearningMetrics metrics;

    @Inject
    LiveState live;

    @Inject
    MlpConfig config;

    @Inject
    KafkaClientService clients;

    /**
     * The last measurement, begun at {@code since} (nanoTime): per partition the records still to come, and those
     * the consumer has not fetched.
     */
    private record Measured(Map<TopicPartition, Long> behindBy, Map<TopicPartition, Long> unfetched, long since) {
    }

    private volatile Measured last = new Measured(Map.of(), Map.of(), Long.MIN_VALUE);
    private ScheduledExecutorService timer;
    /** The last measurement failed: logged once until one succeeds. */
    private boolean failing;
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

    /**
     * True when the last measurement, begun after {@code since} (nanoTime), found every images partition fetched to
     * its end.
     */
    @Override
    public boolean imagesCaughtUp(long since) {
        Measured m = last;
        return m.since() > since && !m.behindBy().isEmpty()
                && m.behindBy().entrySet().stream().allMatch(e -> e.getKey().topic().equals(config.topics().labels()) || e.getValue() == 0);
    }

    /**
     * True when the last measurement, begun after {@code since} (nanoTime), found this partition fetched to its end
     * (not yet measured: false). The consumer's own lag, not the processed offsets': commit markers and aborted records
     * are never processed. A measurement knows nothing of what was written after it began.
     */
    @Override
    public boolean caughtUp(TopicPartition tp, long since) {
        if (!partitions.owns(tp)) return true; // a partition given up holds nothing back
        Measured m = last;
        return m.since() > since && m.behindBy().getOrDefault(tp, 1L) == 0;
    }

    /** True when the last measurement, begun after {@code since}, found that the consumer had fetched this partition to its end. */
    @Override
    public boolean fetchedToEnd(TopicPartition tp, long since) {
        Measured m = last;
        return m.since() > since && m.unfetched().getOrDefault(tp, 1L) == 0;
    }

    /**
     * Per assigned partition, the records still to come: what the consumer has not fetched yet (KafkaConsumer.currentLag,
     * on its polling thread), and what it polled that the trainer has not processed; and the consumer's positions.
     */
    private Measured fetchLag(long since, Map<TopicPartition, Long> positions) {
        var consumer = clients.<String, byte[]>getConsumer("images");
        if (consumer == null) return new Measured(Map.of(), Map.of(), since);
        Map<TopicPartition, long[]> fetched = consumer.runOnPollingThread(c -> {
            Map<TopicPartition, long[]> m = new HashMap<>();
            for (TopicPartition tp : c.assignment()) c.currentLag(tp).ifPresent(l -> m.put(tp, new long[] {l, c.position(tp)}));
            return m;
        }).await().atMost(Duration.ofSeconds(2));
        // records polled but not processed yet are still to come: SmallRye polls ahead of the trainer. A commit
        // marker after the last record is one offset the trainer never sees.
        Map<TopicPartition, Long> lag = new HashMap<>(), unfetched = new HashMap<>();
        fetched.forEach((tp, f) -> {
            long processed = training.nextOffsets().getOrDefault(tp.topic() + "-" + tp.partition(), 0L);
            lag.put(tp, f[0] + (f[1] - processed > 1 ? f[1] - processed : 0));
            unfetched.put(tp, f[0]);
            positions.put(tp, f[1]);
        });
        return new Measured(lag, unfetched, since);
    }

    /**
     * The records still to learn: per partition, its end minus the lower of what the trainer processed and where the
     * consumer stands. The consumer's position is the lower one only when it went back (a topic recreated while the
     * service runs, or a rebalance that rewinds to a snapshot): the processed offsets would then say nothing is left.
     */
    static long lag(Map<TopicPartition, Long> ends, Map<String, Long> processed, Map<TopicPartition, Long> positions) {
        long lag = 0;
        for (var e : ends.entrySet()) {
            TopicPartition tp = e.getKey();
            long next = processed.getOrDefault(tp.topic() + "-" + tp.partition(), 0L);
            Long position = positions.get(tp);
            if (position != null) next = Math.min(next, position);
            lag += Math.max(0, e.getValue() - next);
        }
        return lag;
    }

    private void measure() {
        Set<TopicPartition> assigned = partitions.assigned();
        if (assigned.isEmpty()) return;
        long since = System.nanoTime();
        try {
            var offsets = admin.listOffsets(assigned.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = new HashMap<>(), positions = new HashMap<>();
            offsets.forEach((tp, o) -> ends.put(tp, o.offset()));
            last = fetchLag(since, positions);
            long lag = lag(ends, training.nextOffsets(), positions);
            metrics.lag(lag);
            live.lag(lag);
            if (failing) LOG.infof("The consumer lag is measured again: %d records", lag);
            failing = false;
        } catch (Exception e) {
            if (timer.isShutdown()) return; // stopping
            // once per run of failures: the gauge keeps its last value meanwhile, which must not pass for a live one
            if (!failing) LOG.warnf("Could not measure the consumer lag (%s); mlp_consumer_lag_records keeps its last value", e.toString());
            failing = true;
        }
    }
}
