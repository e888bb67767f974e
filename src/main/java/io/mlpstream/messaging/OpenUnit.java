package io.mlpstream.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * What {@link OutputLog} has sent since its last commit: the records (kept, to be sent again if the
 * commit fails) and the input offsets they answer. Plain bookkeeping, no Kafka calls.
 */
final class OpenUnit {

    /** One record; {@code source} is the input partition it answers (null: training metrics, checkpoints). */
    static final class Pending {
        ProducerRecord<String, byte[]> record;
        final TopicPartition source;
        final Runnable onCommitted;
        final UnaryOperator<ProducerRecord<String, byte[]>> fallback; // what to send instead if refused; null = drop
        final Consumer<Exception> onDropped;
        /** Set by the producer's callback; written by the generation of producer that sent it. */
        volatile Exception refused;
        /** The broker acknowledged it. Without a transaction it is in the topic for good, and never sent again. */
        volatile boolean stored;

        Pending(ProducerRecord<String, byte[]> record, TopicPartition source, Runnable onCommitted,
                UnaryOperator<ProducerRecord<String, byte[]>> fallback, Consumer<Exception> onDropped) {
            this.record = record;
            this.source = source;
            this.onCommitted = onCommitted;
            this.fallback = fallback;
            this.onDropped = onDropped;
        }
    }

    final List<Pending> records = new ArrayList<>();
    /** Next input offset per partition; a mutable cell each, since it moves with every record. */
    private final Map<TopicPartition, long[]> next = new HashMap<>();
    private long bytes;

    Pending add(ProducerRecord<String, byte[]> record, TopicPartition source, Runnable onCommitted,
                UnaryOperator<ProducerRecord<String, byte[]>> fallback, Consumer<Exception> onDropped) {
        Pending p = new Pending(record, source, onCommitted, fallback, onDropped);
        records.add(p);
        bytes += record.value() == null ? 0 : record.value().length;
        return p;
    }

    void consumed(TopicPartition tp, long offset) {
        long[] cell = next.computeIfAbsent(tp, k -> new long[1]);
        if (offset > cell[0]) cell[0] = offset;
    }

    /** The input offsets to commit with the unit. */
    Map<TopicPartition, OffsetAndMetadata> offsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, cell) -> offsets.put(tp, new OffsetAndMetadata(cell[0])));
        return offsets;
    }

    boolean isEmpty() {
        return records.isEmpty() && next.isEmpty();
    }

    long bytes() {
        return bytes;
    }

    boolean answers(Collection<TopicPartition> partitions) {
        return records.stream().anyMatch(p -> p.source != null && partitions.contains(p.source));
    }

    void forget(Collection<TopicPartition> partitions) {
        next.keySet().removeAll(partitions);
    }

    /**
     * Before sending the unit again: without what answers a partition no longer owned (its new owner answers
     * it), and with a refused record replaced by its fallback, or dropped.
     */
    void prepareResend(Predicate<TopicPartition> owned) {
        records.removeIf(p -> p.source != null && !owned.test(p.source));
        next.keySet().removeIf(tp -> !owned.test(tp));
        List<Pending> kept = new ArrayList<>(records.size());
        for (Pending p : records) {
            Exception why = p.refused;
            p.refused = null;
            if (why instanceof RecordTooLargeException || why instanceof InvalidRecordException) {
                ProducerRecord<String, byte[]> instead = p.fallback == null ? null : p.fallback.apply(p.record);
                if (instead == null) {
                    p.onDropped.accept(why);
                    continue;
                }
                p.record = instead;
            }
            kept.add(p);
        }
        records.clear();
        records.addAll(kept);
    }

    /** After the commit: the records' callbacks, then an empty unit. */
    void committed() {
        for (Pending p : records) p.onCommitted.run();
        records.clear();
        next.clear();
        bytes = 0;
    }
}
