package io.mlpstream.pipeline;

// Long because: the published and learned positions of every partition, the route derived from them and the epoch of
// the assignment change together; split, the route would read another class's state.

import io.mlpstream.service.RunningModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which input partitions this instance owns, and two positions in each: where the published outputs stand
 * ({@code published}: the group's committed offset, one for all models, since they publish in one transaction) and
 * where each model's learning stands ({@code learned}, from its snapshot). A record below {@code published} is learned
 * but not published again (a replay after a restore); a record below a model's {@code learned} is not learned again by
 * that model. Plain Java: {@link Partitions}, the consumer's rebalance listener, feeds it what the consumer knows.
 */
public final class Positions {
    private static final Logger LOG = Logger.getLogger(Positions.class);

    /** What a model's snapshot says of where it stands. */
    public record Resume(String model, Map<String, Long> offsets, boolean restored) {
    }

    /** Where records were found missing, for the metrics. */
    public interface Gaps {
        void beyondLogEnd();

        void outOfRetention(String model, long records);
    }

    /** What the consumer knows of a partition when it is assigned. */
    public record Log(Long committed, long earliest, long end) {
    }

    private final Gaps gaps;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> published = new ConcurrentHashMap<>();
    /** Per model: the next offset it learns, for routing (trainer thread). */
    private final Map<String, Map<TopicPartition, Long>> learned = new ConcurrentHashMap<>();
    private volatile boolean learnTogether;
    /** Per model: next offset after the last record it has predicted and buffered or trained, what its snapshot holds. */
    private final Map<String, Map<TopicPartition, Long>> inModel = new ConcurrentHashMap<>();
    /** Per model, partitions whose learned position came from its snapshot already: once per process. */
    private final Map<String, Set<TopicPartition>> resumed = new ConcurrentHashMap<>();
    /** Bumped by every assignment. */
    private final AtomicLong epoch = new AtomicLong();

    public Positions(Gaps gaps) {
        this.gaps = gaps;
    }

    private static Map<TopicPartition, Long> of(Map<String, Map<TopicPartition, Long>> byModel, String model) {
        return byModel.computeIfAbsent(model, k -> new ConcurrentHashMap<>());
    }

    /**
     * Takes these partitions on; returns where the consumer must seek each, the lowest position of the published
     * outputs and the models' learning. A partition that nothing is known of is absent: it starts where the consumer's
     * auto.offset.reset put it ({@code position}).
     */
    public Map<TopicPartition, Long> assign(Map<TopicPartition, Log> logs, List<Resume> models, ToLongFunction<TopicPartition> position) {
        Map<TopicPartition, Long> seeks = new HashMap<>();
        for (var e : logs.entrySet()) {
            TopicPartition tp = e.getKey();
            Log log = e.getValue();
            Long pub = log.committed();
            Long ours = published.get(tp); // outputs of ours still in an open unit, when a revocation's commit timed out
            if (ours != null && (pub == null || ours > pub)) pub = ours;
            List<String> beyond = new ArrayList<>();
            if (pub != null && pub > log.end()) {
                beyond.add("the group committed " + pub);
                pub = log.earliest();
            }
            Map<String, Long> learnt = new HashMap<>();
            for (Resume m : models) {
                Long l = learnedAt(m, tp, log, beyond);
                if (l != null) learnt.put(m.model(), l);
            }
            if (!beyond.isEmpty()) {
                // the topic holds fewer records than were learned or published from it: they must not be skipped as done
                LOG.warnf("%s ends at offset %d, but %s: the topic was recreated or truncated. Going on from its earliest "
                        + "offset, %d. If it is another stream altogether, start fresh models instead (new model names).",
                        tp, log.end(), String.join(", ", beyond), log.earliest());
                gaps.beyondLogEnd();
            }
            if (learnt.isEmpty() && pub == null) { // a fresh model's starting snapshot names where the consumer starts
                long start = position.applyAsLong(tp);
                published.put(tp, start);
                for (Resume m : models) startAt(m.model(), tp, start);
                continue;
            }
            // a new group: what any model learned was published before (one transaction carried them all)
            long publishedAt = pub != null ? pub : learnt.values().stream().max(Long::compare).orElseThrow();
            long seek = publishedAt;
            for (Resume m : models) {
                long l = learnt.getOrDefault(m.model(), publishedAt); // a fresh model starts where the group is
                startAt(m.model(), tp, l);
                seek = Math.min(seek, l);
                if (l != publishedAt) LOG.infof("%s: %s learned up to %d, published up to %d", tp, m.model(), l, publishedAt);
            }
            published.put(tp, publishedAt);
            seeks.put(tp, seek);
        }
        assigned.addAll(logs.keySet());
        epoch.incrementAndGet();
        return seeks;
    }

    private void startAt(String model, TopicPartition tp, long offset) {
        of(learned, model).put(tp, offset);
        of(inModel, model).put(tp, offset);
    }

    /**
     * Where a model's learning of a partition stands, from its snapshot the first time; null if nothing is known.
     * A position beyond the log's end is noted in {@code beyond} and becomes the earliest offset.
     */
    private Long learnedAt(Resume m, TopicPartition tp, Log log, List<String> beyond) {
        Long l = of(learned, m.model()).get(tp);
        if (resumed.computeIfAbsent(m.model(), k -> ConcurrentHashMap.newKeySet()).add(tp)) {
            l = m.offsets().get(tp.topic() + "-" + tp.partition());
            // a restored model has learned nothing of a partition its snapshot does not name
            if (l == null && m.restored()) l = log.earliest();
        }
        if (l != null && l > log.end()) {
            beyond.add(m.model() + " has learned up to " + l);
            l = log.earliest();
        }
        if (l != null && l < log.earliest()) {
            // the records the model would learn next are gone (retention): learn from what remains
            LOG.warnf("Offset %d of %s, the next %s would learn, is no longer in the topic (retention); going on "
                    + "from the earliest that remains, %d: %d records were never learned", l, tp, m.model(), log.earliest(),
                    log.earliest() - l);
            gaps.outOfRetention(m.model(), log.earliest() - l);
            l = log.earliest();
        }
        return l;
    }

    /** Called for every record, in offset order, on the trainer's thread; {@code models} in the chunk's order. */
    Route route(TopicPartition tp, long offset, List<String> models) {
        if (!assigned.contains(tp)) return Route.SKIP; // revoked while it waited: its new owner handles it
        long publishedAt = published.getOrDefault(tp, 0L);
        boolean publish = offset >= publishedAt;
        if (publish) published.put(tp, offset + 1);
        long learners = 0;
        for (int k = 0; k < models.size(); k++) {
            Map<TopicPartition, Long> at = of(learned, models.get(k));
            if (!at.containsKey(tp)) { // added while this partition was being assigned: from the next record on
                at.put(tp, publishedAt);
                of(inModel, models.get(k)).putIfAbsent(tp, publishedAt);
            }
            if (offset >= at.get(tp)) {
                at.put(tp, offset + 1);
                learners |= 1L << k;
            }
        }
        return publish || learners != 0 ? Route.of(publish, learners) : Route.SKIP;
    }

    /**
     * A record with nothing to learn (a label: its match is learned as a late example) is behind every model that
     * it was routed to, so that their snapshots do not send them back to it after a restart. Trainer thread.
     */
    void passed(TopicPartition tp, long next, Route route, List<String> models) {
        for (int k = 0; k < models.size(); k++) {
            if (route.learns(k)) of(inModel, models.get(k)).merge(tp, next, Math::max);
        }
    }

    /** A model added at run time learns from the next record on. Trainer thread. */
    void startAtNext(String model) {
        resumed.computeIfAbsent(model, k -> ConcurrentHashMap.newKeySet()).addAll(assigned);
        for (TopicPartition tp : assigned) startAt(model, tp, published.getOrDefault(tp, 0L));
    }

    /** A removed model's positions go with it. Trainer thread. */
    void forget(String model) {
        learned.remove(model);
        inModel.remove(model);
        resumed.remove(model);
    }

    /** The model's own positions of "in the model": its worker records each learned row there. */
    Map<TopicPartition, Long> inModel(String model) {
        return of(inModel, model);
    }

    /**
     * Next offset to learn of every partition this instance owns, for one model: what its snapshot resumes from.
     * Exact when its trainer's buffer is empty (a chunk is routed whole, but predicted and buffered one batch at a time).
     */
    Map<String, Long> learnedOffsets(String model) {
        Map<String, Long> offsets = new HashMap<>();
        Map<TopicPartition, Long> at = of(inModel, model);
        for (TopicPartition tp : assigned) {
            Long next = at.get(tp);
            if (next != null) offsets.put(tp.topic() + "-" + tp.partition(), next);
        }
        return offsets;
    }

    /**
     * Records of these partitions are no longer routed; unless they were assigned again meanwhile (the callback that
     * asked, at {@code askedAt}, timed out, and a later assignment came first). Trainer thread.
     */
    public void giveUp(Collection<TopicPartition> partitions, long askedAt, boolean outputsDropped) {
        if (epoch.get() != askedAt) return;
        assigned.removeAll(partitions);
        if (outputsDropped) partitions.forEach(published::remove); // the group's committed offset applies again
        if (learnTogether) forget(partitions);
    }

    /**
     * Data-parallel: what a shard learned is the group's once committed (its update travels with the offsets), so a
     * partition given up keeps no learning of its own: its next owner, this one included, starts at the group's offset.
     */
    public void learnTogether() {
        learnTogether = true;
    }

    /** Dropped at once, when the trainer could not be asked to give them up. */
    public void drop(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        if (learnTogether) forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(published::remove);
        learned.values().forEach(m -> partitions.forEach(m::remove));
    }

    public long epoch() {
        return epoch.get();
    }

    public boolean owns(TopicPartition tp) {
        return assigned.contains(tp);
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }

    /** Names of the models, in the order that a chunk's routes number them. */
    static List<String> names(List<RunningModel> models) {
        return models.stream().map(RunningModel::name).toList();
    }
}
