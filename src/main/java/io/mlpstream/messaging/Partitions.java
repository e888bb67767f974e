package io.mlpstream.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
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

    // looked up lazily: this listener is created while SmallRye wires the channels, before Checkpoints' own channel exists
    @Inject
    jakarta.enterprise.inject.Instance<Checkpoints> checkpoints;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // resume exactly after what the restored model has learned, on every assignment
        Map<String, Long> resume = checkpoints.get().resumeOffsets();
        for (TopicPartition tp : partitions) {
            Long next = resume.get(tp.topic() + "-" + tp.partition());
            if (next != null) {
                consumer.seek(tp, next);
                LOG.infof("Resuming %s at offset %d, after the restored snapshot", tp, next);
            }
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
