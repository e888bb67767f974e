package io.mlpstream.messaging;

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.pipeline.Positions;
import io.mlpstream.service.Models;
import io.mlpstream.service.TrainerThreads;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The images consumer's rebalance listener: on assignment it places the consumer where {@link Positions} says (the
 * lowest of the published outputs and each model's learning); on revocation the open outputs are committed first, so
 * that the partition's next owner starts exactly after them; lost partitions drop theirs.
 */
@ApplicationScoped
@Identifier("images-rebalance")
public class Partitions implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Partitions.class);

    // looked up lazily: this listener is created while SmallRye wires the channels, before the models are restored
    @Inject
    Instance<Models> models;

    @Inject
    Instance<LearningMetrics> metrics;

    @Inject
    Instance<PipelineRunner> training;

    @Inject
    Instance<KafkaOutputs> outputs;

    @Inject
    Instance<TrainerThreads> threads;

    @Inject
    Instance<DataParallel> dataParallel;

    private final Positions positions = new Positions(new Positions.Gaps() {
        @Override
        public void beyondLogEnd() {
            metrics.get().offsetsBeyondLogEnd();
        }

        @Override
        public void outOfRetention(String model, long records) {
            metrics.get().offsetsOutOfRetention(model, records);
        }
    });

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        training.get().awaitStarted();
        outputs.get().group(consumer.groupMetadata());
        if (partitions.isEmpty()) return;
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
        Map<TopicPartition, Positions.Log> logs = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            logs.put(tp, new Positions.Log(c == null ? null : c.offset(), earliest.getOrDefault(tp, 0L), latest.getOrDefault(tp, 0L)));
        }
        List<Positions.Resume> resumes = models.get().all().stream()
                .map(m -> new Positions.Resume(m.name(), m.resumeOffsets(), m.restored())).toList();
        positions.assign(logs, resumes, consumer::position).forEach(consumer::seek);
        LOG.infof("Assigned %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) return;
        if (consumer.groupMetadata().generationId() < 0) {
            // SmallRye passes lost partitions (the session expired) here too: too late to commit under that generation
            onPartitionsLost(consumer, partitions);
            return;
        }
        long epoch = positions.epoch();
        try {
            // what is open commits, then the partitions are given up, in one task, so that no record of theirs follows
            Map<TopicPartition, OffsetAndMetadata> offsets = threads.get().call(() -> {
                try {
                    return training.get().commitForRevoke();
                } finally {
                    positions.giveUp(partitions, epoch, false);
                }
            });
            if (!offsets.isEmpty()) consumer.commitSync(offsets); // at-least-once; with transactions, empty
        } catch (Exception e) {
            LOG.warnf("Could not commit before giving up %s (%s)", partitions, e);
            positions.drop(partitions);
            dataParallel.get().lost(partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        dataParallel.get().lost(partitions);
        long epoch = positions.epoch();
        try { // too late to commit: their open outputs are dropped
            threads.get().call(() -> {
                positions.giveUp(partitions, epoch, true);
                outputs.get().discard(partitions);
                return null;
            });
        } catch (Exception e) {
            LOG.warnf("Could not drop the open outputs of the lost %s (%s)", partitions, e);
            positions.drop(partitions);
        }
    }

    /** Where every input partition stands: shared with the pipeline, which routes each record by it. */
    public Positions positions() {
        return positions;
    }

    boolean owns(TopicPartition tp) {
        return positions.owns(tp);
    }

    public Set<TopicPartition> assigned() {
        return positions.assigned();
    }
}
