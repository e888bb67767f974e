package io.mlpstream.pipeline;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * The polled records of every input partition, handed out in timestamp order, as Kafka Streams' PartitionGroup
 * does. The consumer fetches each partition on its own: after a pause, a backlog of small label records arrives
 * long before the images they label, and one images partition runs ahead of another. Taken in the order they were
 * polled, a label that came 500 images after its image would be answered thousands of images early (and wait, as
 * an early label, until it expires). So records wait here until every images partition that has records left in
 * Kafka (the lag monitor says which) has one buffered; then the oldest head goes first, as Kafka Streams waits for
 * its empty partitions. Each partition's own order is kept. A label needs more than that: the lag it relies on must
 * have been measured after the label was polled, since a measurement knows nothing of the images written after it,
 * among them those just before the label. An image does not wait for that (its latency is the user's). Trainer
 * thread only.
 */
public final class InputOrder {
    /**
     * One polled record; {@code polledAt} on System.nanoTime's clock; {@code decoded}: what an image record decoded to
     * on the decode stage (null for a label, decoded when it is answered).
     */
    public record Input(TopicPartition partition, long offset, long timestamp, long polledAt, String key, byte[] value,
                 DecodeStage.Decoded decoded) {
    }

    /** What the consumer has fetched. */
    public interface Fetched {
        /** True when a lag measurement begun after {@code since} (nanoTime) found nothing left in Kafka to read. */
        boolean caughtUp(TopicPartition partition, long since);

        /**
         * True when a lag measurement begun after {@code since} found nothing the consumer has not fetched: what it
         * is still ahead of this queue by is records on their way, or offsets it never hands out (an aborted
         * transaction's records and commit markers under read_committed, compaction's gaps).
         */
        boolean fetchedToEnd(TopicPartition partition, long since);

        /** True when a lag measurement begun after {@code since} found every images partition fetched to its end. */
        boolean imagesCaughtUp(long since);
    }

    /**
     * How long an empty images partition whose consumer has fetched everything holds the others back, as Kafka
     * Streams' max.task.idle.ms: records on their way arrive within milliseconds while the trainer waits, so after
     * this the gap is offsets that never come, and waiting for them would stall every other partition (review
     * finding 4).
     */
    static final long MAX_IDLE_NANOS = 1_000_000_000L;

    private final Map<TopicPartition, ArrayDeque<Input>> queues = new LinkedHashMap<>(); // ties: first partition first
    private final Predicate<String> isLabels;
    /** An images partition with nothing left in Kafka to read: its empty queue holds nothing back. */
    private final Fetched fetched;
    private final LongSupplier nanoTime;
    /** Per empty images partition that holds the others back, since when (nanoTime). */
    private final Map<TopicPartition, Long> blockedSince = new HashMap<>();
    private int size;

    InputOrder(Predicate<String> isLabels, Fetched fetched, LongSupplier nanoTime) {
        this.isLabels = isLabels;
        this.fetched = fetched;
        this.nanoTime = nanoTime;
    }

    void add(Input input) {
        queues.computeIfAbsent(input.partition(), k -> new ArrayDeque<>()).addLast(input);
        blockedSince.remove(input.partition());
        size++;
    }

    /**
     * The record with the oldest timestamp among the partitions' heads; null when there is none, or when an images
     * partition with records left in Kafka has none buffered (its next may be older), unless {@code drain}.
     */
    Input next(boolean drain) {
        ArrayDeque<Input> oldest = null;
        for (ArrayDeque<Input> q : queues.values()) {
            if (!q.isEmpty() && (oldest == null || q.peekFirst().timestamp() < oldest.peekFirst().timestamp())) oldest = q;
        }
        if (oldest == null) return null;
        Input head = oldest.peekFirst();
        long since = isLabels.test(head.partition().topic()) ? head.polledAt() : Long.MIN_VALUE;
        for (Map.Entry<TopicPartition, ArrayDeque<Input>> e : queues.entrySet()) {
            boolean waitFor = e.getValue().isEmpty() && !isLabels.test(e.getKey().topic());
            if (!drain && waitFor && holdsBack(e.getKey(), since)) return null;
        }
        size--;
        return oldest.pollFirst();
    }

    private boolean holdsBack(TopicPartition empty, long since) {
        if (fetched.caughtUp(empty, since)) return false;
        long now = nanoTime.getAsLong();
        long blocked = blockedSince.computeIfAbsent(empty, k -> now);
        return now - blocked < MAX_IDLE_NANOS || !fetched.fetchedToEnd(empty, Math.max(blocked, since));
    }

    int size() {
        return size;
    }
}
