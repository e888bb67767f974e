package io.mlpstream.messaging;

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.RunningModel;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Tracks which input partitions this instance owns; readiness needs at least one. */
@ApplicationScoped
@Identifier("images-rebalance")
public class Partitions implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Partitions.class);
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    /** Partitions this process has already positioned at the snapshot's offsets: once is enough. */
    private final Set<TopicPartition> resumed = ConcurrentHashMap.newKeySet();

    // looked up lazily: this listener is created while SmallRye wires the channels, before the model is restored
    @Inject
    Instance<RunningModel> model;

    @Inject
    Instance<LearningMetrics> metrics;

    @Inject
    Instance<TrainingService> training;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // resume exactly after what the restored model has learned, the first time this process gets a
        // partition; on a later assignment the group's committed offset is newer than the snapshot's
        Map<String, Long> resume = model.get().resumeOffsets();
        training.get().awaitStarted();
        Map<TopicPartition, Long> earliest = partitions.isEmpty() ? Map.of() : consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> latest = partitions.isEmpty() ? Map.of() : consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            Long next = resume.get(tp.topic() + "-" + tp.partition());
            if (next == null || !resumed.add(tp)) continue;
            long first = earliest.getOrDefault(tp, 0L), end = latest.getOrDefault(tp, 0L);
            if (next > end) {
                // the topic holds fewer records than the model has learned from it: it was deleted and created
                // again, truncated, or is another topic by that name. Its records must not be skipped as learned.
                LOG.warnf("The snapshot resumes %s at offset %d, but the topic ends at offset %d: it was recreated or "
                        + "truncated. Learning it from its earliest offset, %d. If it is another stream altogether, "
                        + "start a fresh model instead (a new mlp.model-name).", tp, next, end, first);
                metrics.get().offsetsBeyondLogEnd();
                training.get().rewound(tp.topic() + "-" + tp.partition(), first);
                consumer.seek(tp, first);
                continue;
            }
            if (next < first) {
                // the records the snapshot would resume from are gone (retention): learn from what remains
                LOG.warnf("Offset %d of %s, where the snapshot resumes, is no longer in the topic (retention); "
                        + "going on from the earliest that remains, %d: %d records were never learned", next, tp, first, first - next);
                metrics.get().offsetsOutOfRetention(first - next);
                next = first;
            }
            consumer.seek(tp, next);
            LOG.infof("Resuming %s at offset %d, after the restored snapshot", tp, next);
        }
        assigned.addAll(partitions);
        LOG.infof("Assigned %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }
}
