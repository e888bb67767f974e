package io.mlpstream.messaging;

// Long because: the rebalance callbacks and the routing share one table of positions; the pipeline (issue 24) splits
// it into Positions and the rebalance listener.

import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which input partitions this instance owns, and positions in each: where each model's learning stands
 * ({@code learned}, from its snapshot) and where the published outputs stand ({@code published}, the
 * group's committed offset; one for all models, since they publish in one transaction). On assignment the
 * consumer is placed at the lowest of them; a record below {@code published} is learned but not published
 * again (train-only replay after a restore), a record below a model's {@code learned} is not learned again by
 * that model. On revocation the open outputs are committed first, so that the partition's next owner starts
 * exactly after them.
 */
@ApplicationScoped
@Identifier("images-rebalance")
public class Partitions implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Partitions.class);
    /** Bit 0 of a route: publish the record's predictions. Bit k + 1: model k of the chunk learns it. */
    static final long PUBLISH = 1L;

    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> published = new ConcurrentHashMap<>();
    /** Per model: the next offset it learns, for routing (trainer thread). */
    private final Map<String, Map<TopicPartition, Long>> learned = new ConcurrentHashMap<>();
    /** Per model: next offset after the last record it has predicted and buffered or trained, what its snapshot holds. */
    private final Map<String, Map<TopicPartition, Long>> inModel = new ConcurrentHashMap<>();
    /** Bumped by every assignment. */
    private final AtomicLong epoch = new AtomicLong();
    /** Per model, partitions whose learned position came from its snapshot already: once per process. */
    private final Map<String, Set<TopicPartition>> resumed = new ConcurrentHashMap<>();

    // looked up lazily: this listener is created while SmallRye wires the channels, before the models are restored
    @Inject
    Instance<Models> models;

    @Inject
    Instance<LearningMetrics> metrics;

    @Inject
    Instance<TrainingService> training;

    @Inject
    Instance<Outputs> outputs;

    private static Map<TopicPartition, Long> positions(Map<String, Map<TopicPartition, Long>> byModel, String model) {
        return byModel.computeIfAbsent(model, k -> new ConcurrentHashMap<>());
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        training.get().awaitStarted();
        outputs.get().group(consumer.groupMetadata());
        if (partitions.isEmpty()) return;
        List<RunningModel> all = models.get().all();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            long first = earliest.getOrDefault(tp, 0L), end = latest.getOrDefault(tp, 0L);
            Long pub = committed.get(tp) == null ? null : committed.get(tp).offset();
            Long ours = published.get(tp); // outputs of ours still in an open unit, when a revocation's commit timed out
            if (ours != null && (pub == null || ours > pub)) pub = ours;
            List<String> beyond = new ArrayList<>();
            if (pub != null && pub > end) {
                beyond.add("the group committed " + pub);
                pub = first;
            }
            Map<String, Long> learnt = new HashMap<>();
            for (RunningModel m : all) {
                Long l = learnedAt(m, tp, first, end, beyond);
                if (l != null) learnt.put(m.name(), l);
            }
            if (!beyond.isEmpty()) {
                // the topic holds fewer records than were learned or published from it: they must not be skipped as done
                LOG.warnf("%s ends at offset %d, but %s: the topic was recreated or truncated. Going on from its earliest "
                        + "offset, %d. If it is another stream altogether, start fresh models instead (new model names).",
                        tp, end, String.join(", ", beyond), first);
                metrics.get().offsetsBeyondLogEnd();
            }
            if (learnt.isEmpty() && pub == null) { // nothing known: the consumer's auto.offset.reset decides
                long start = consumer.position(tp); // where that is: a fresh model's starting snapshot names it
                published.put(tp, start);
                for (RunningModel m : all) {
                    positions(learned, m.name()).put(tp, start);
                    positions(inModel, m.name()).put(tp, start);
                }
                continue;
            }
            // a new group: what any model learned was published before (one transaction carried them all)
            long publishedAt = pub != null ? pub : learnt.values().stream().max(Long::compare).orElseThrow();
            long seek = publishedAt;
            for (RunningModel m : all) {
                long l = learnt.getOrDefault(m.name(), publishedAt); // a fresh model starts where the group is
                positions(learned, m.name()).put(tp, l);
                positions(inModel, m.name()).put(tp, l);
                seek = Math.min(seek, l);
                if (l != publishedAt) LOG.infof("%s: %s learned up to %d, published up to %d", tp, m.name(), l, publishedAt);
            }
            published.put(tp, publishedAt);
            consumer.seek(tp, seek);
        }
        assigned.addAll(partitions);
        epoch.incrementAndGet();
        LOG.infof("Assigned %s", partitions);
    }

    /**
     * Where a model's learning of a partition stands, from its snapshot the first time; null if nothing is known.
     * A position beyond the log's end is noted in {@code beyond} and becomes the earliest offset.
     */
    private Long learnedAt(RunningModel m, TopicPartition tp, long first, long end, List<String> beyond) {
        Long l = positions(learned, m.name()).get(tp);
        if (resumed.computeIfAbsent(m.name(), k -> ConcurrentHashMap.newKeySet()).add(tp)) {
            l = m.resumeOffsets().get(tp.topic() + "-" + tp.partition());
            // a restored model has learned nothing of a partition its snapshot does not name
            if (l == null && m.restored()) l = first;
        }
        if (l != null && l > end) {
            beyond.add(m.name() + " has learned up to " + l);
            l = first;
        }
        if (l != null && l < first) {
            // the records the model would learn next are gone (retention): learn from what remains
            LOG.warnf("Offset %d of %s, the next %s would learn, is no longer in the topic (retention); going on "
                    + "from the earliest that remains, %d: %d records were never learned", l, tp, m.name(), first, first - l);
            metrics.get().offsetsOutOfRetention(m.name(), first - l);
            l = first;
        }
        return l;
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

    /**
     * Called for every record, in offset order, on the trainer's thread: {@link #PUBLISH} if its predictions are
     * published, bit k + 1 if {@code models.get(k)} learns it; 0 to skip it.
     */
    long route(TopicPartition tp, long offset, List<RunningModel> models) {
        if (!assigned.contains(tp)) return 0; // revoked while it waited: its new owner handles it
        long route = 0;
        long publishedAt = published.getOrDefault(tp, 0L);
        if (offset >= publishedAt) {
            published.put(tp, offset + 1);
            route = PUBLISH;
        }
        for (int k = 0; k < models.size(); k++) {
            Map<TopicPartition, Long> at = positions(learned, models.get(k).name());
            if (!at.containsKey(tp)) { // added while this partition was being assigned: from the next record on
                at.put(tp, publishedAt);
                positions(inModel, models.get(k).name()).putIfAbsent(tp, publishedAt);
            }
            if (offset >= at.get(tp)) {
                at.put(tp, offset + 1);
                route |= 1L << (k + 1);
            }
        }
        return route;
    }

    /**
     * A record with nothing to learn (a label: its match is learned as a late example) is behind every model that
     * it was routed to, so that their snapshots do not send them back to it after a restart. Trainer thread.
     */
    void passed(TopicPartition tp, long next, long route, List<RunningModel> models) {
        for (int k = 0; k < models.size(); k++) {
            if ((route & (1L << (k + 1))) != 0) positions(inModel, models.get(k).name()).merge(tp, next, Math::max);
        }
    }

    /** A model added at run time learns from the next record on. Trainer thread. */
    void startAtNext(String model) {
        resumed.computeIfAbsent(model, k -> ConcurrentHashMap.newKeySet()).addAll(assigned);
        for (TopicPartition tp : assigned) {
            long next = published.getOrDefault(tp, 0L);
            positions(learned, model).put(tp, next);
            positions(inModel, model).put(tp, next);
        }
    }

    /** A removed model's positions go with it. Trainer thread. */
    void forget(String model) {
        learned.remove(model);
        inModel.remove(model);
        resumed.remove(model);
    }

    /** The model's own positions of "in the model": its worker records each learned row there. */
    Map<TopicPartition, Long> inModel(String model) {
        return positions(inModel, model);
    }

    /**
     * Next offset to learn of every partition this instance owns, for one model: what its snapshot resumes from.
     * Exact when its trainer's buffer is empty (a chunk is routed whole, but predicted and buffered one batch at a time).
     */
    Map<String, Long> learnedOffsets(String model) {
        Map<String, Long> offsets = new HashMap<>();
        Map<TopicPartition, Long> at = positions(inModel, model);
        for (TopicPartition tp : assigned) {
            Long next = at.get(tp);
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
