package io.mlpstream.messaging;

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.RunningModel;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which input partitions this instance owns, and two positions in each: where the model's learning stands
 * ({@code learned}, from the snapshot) and where the published outputs stand ({@code published}, the
 * group's committed offset). On assignment the consumer is placed at the lower of the two; a record below
 * {@code published} is learned but not published again (train-only replay after a restore), a record below
 * {@code learned} is published but not learned again (its outputs were lost with a crash). On revocation the
 * open outputs are committed first, so that the partition's next owner starts exactly after them.
 */
@ApplicationScoped
@Identifier("images-rebalance")
public class Partitions implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Partitions.class);

    /** What to do with a record at a given offset. */
    enum Route {
        SKIP, LEARN_ONLY, PUBLISH_ONLY, LEARN_AND_PUBLISH;

        boolean learn() {
            return this == LEARN_ONLY || this == LEARN_AND_PUBLISH;
        }

        boolean publish() {
            return this == PUBLISH_ONLY || this == LEARN_AND_PUBLISH;
        }
    }

    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> learned = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> published = new ConcurrentHashMap<>();
    /** Next offset after the last record the model has predicted and buffered or trained: what a snapshot holds. */
    private final Map<TopicPartition, Long> inModel = new ConcurrentHashMap<>();
    /** Bumped by every assignment. */
    private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();
    /** Partitions whose learned position came from the snapshot already: once per process. */
    private final Set<TopicPartition> resumed = ConcurrentHashMap.newKeySet();

    // looked up lazily: this listener is created while SmallRye wires the channels, before the model is restored
    @Inject
    Instance<RunningModel> model;

    @Inject
    Instance<LearningMetrics> metrics;

    @Inject
    Instance<TrainingService> training;

    @Inject
    Instance<Outputs> outputs;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        training.get().awaitStarted();
        outputs.get().group(consumer.groupMetadata());
        if (partitions.isEmpty()) return;
        Map<String, Long> snapshot = model.get().resumeOffsets();
        boolean restored = model.get().restored();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            long first = earliest.getOrDefault(tp, 0L), end = latest.getOrDefault(tp, 0L);
            Long pub = committed.get(tp) == null ? null : committed.get(tp).offset();
            Long ours = published.get(tp); // outputs of ours still in an open unit, when a revocation's commit timed out
            if (ours != null && (pub == null || ours > pub)) pub = ours;
            Long learnt = learned.get(tp);
            if (resumed.add(tp)) {
                learnt = snapshot.get(tp.topic() + "-" + tp.partition());
                // a restored model has learned nothing of a partition its snapshot does not name
                if (learnt == null && restored) learnt = first;
            }
            if ((learnt != null && learnt > end) || (pub != null && pub > end)) {
                // the topic holds fewer records than were learned or published from it: it was deleted and created
                // again, truncated, or is another topic by that name. Its records must not be skipped as done.
                LOG.warnf("%s ends at offset %d, but the model has learned up to %s and the group committed %s: the topic was "
                        + "recreated or truncated. Going on from its earliest offset, %d. If it is another stream altogether, "
                        + "start a fresh model instead (a new mlp.model-name).", tp, end, learnt, pub, first);
                metrics.get().offsetsBeyondLogEnd();
                if (learnt != null && learnt > end) learnt = first;
                if (pub != null && pub > end) pub = first;
            }
            if (learnt != null && learnt < first) {
                // the records the model would learn next are gone (retention): learn from what remains
                LOG.warnf("Offset %d of %s, the next the model would learn, is no longer in the topic (retention); going on "
                        + "from the earliest that remains, %d: %d records were never learned", learnt, tp, first, first - learnt);
                metrics.get().offsetsOutOfRetention(first - learnt);
                learnt = first;
            }
            if (learnt == null && pub == null) { // nothing known: the consumer's auto.offset.reset decides
                learned.put(tp, 0L);
                published.put(tp, 0L);
                inModel.put(tp, 0L);
                assigned.add(tp);
                continue;
            }
            learnt = learnt == null ? pub : learnt; // a fresh model starts where the group is
            pub = pub == null ? learnt : pub; // a new group: what the model learned was published before
            learned.put(tp, learnt);
            published.put(tp, pub);
            inModel.put(tp, learnt);
            consumer.seek(tp, Math.min(learnt, pub));
            if (!learnt.equals(pub)) {
                LOG.infof("%s: resuming at offset %d; learned up to %d, published up to %d", tp, Math.min(learnt, pub), learnt, pub);
            }
        }
        assigned.addAll(partitions);
        epoch.incrementAndGet();
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
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = training.get().revoke(partitions, epoch.get());
            if (!offsets.isEmpty()) consumer.commitSync(offsets); // at-least-once; with transactions, empty
        } catch (Exception e) {
            LOG.warnf("Could not commit before giving up %s (%s)", partitions, e);
            assigned.removeAll(partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        try {
            training.get().lose(partitions, epoch.get());
        } catch (Exception e) {
            LOG.warnf("Could not drop the open outputs of the lost %s (%s)", partitions, e);
            assigned.removeAll(partitions);
        }
    }

    /**
     * On the trainer's thread: records of these partitions are no longer routed; unless they were assigned
     * again meanwhile (the callback that asked timed out, and a later assignment came first).
     */
    void giveUp(Collection<TopicPartition> partitions, long askedAt, boolean outputsDropped) {
        if (epoch.get() != askedAt) return;
        assigned.removeAll(partitions);
        if (outputsDropped) partitions.forEach(published::remove); // the group's committed offset applies again
    }

    /** Called for every record, in offset order, on the trainer's thread. */
    Route route(TopicPartition tp, long offset) {
        if (!assigned.contains(tp)) return Route.SKIP; // revoked while it waited: its new owner handles it
        boolean learn = offset >= learned.getOrDefault(tp, 0L);
        boolean publish = offset >= published.getOrDefault(tp, 0L);
        if (learn) learned.put(tp, offset + 1);
        if (publish) published.put(tp, offset + 1);
        return learn ? (publish ? Route.LEARN_AND_PUBLISH : Route.LEARN_ONLY) : (publish ? Route.PUBLISH_ONLY : Route.SKIP);
    }

    /** The model has predicted the record before {@code next} and buffered it for training, or trained on it. */
    void inModel(TopicPartition tp, long next) {
        inModel.put(tp, next);
    }

    /**
     * Next offset to learn of every partition this instance owns: what a snapshot resumes from. Exact when
     * the trainer's buffer is empty (a chunk is routed whole, but predicted and buffered one batch at a time).
     */
    Map<String, Long> learnedOffsets() {
        Map<String, Long> offsets = new HashMap<>();
        for (TopicPartition tp : assigned) {
            Long next = inModel.get(tp);
            if (next != null) offsets.put(tp.topic() + "-" + tp.partition(), next);
        }
        return offsets;
    }

    boolean owns(TopicPartition tp) {
        return assigned.contains(tp);
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }
}
