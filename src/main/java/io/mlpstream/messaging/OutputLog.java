package io.mlpstream.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.jboss.logging.Logger;

/**
 * Everything the service writes (predictions, training metrics, dead letters, checkpoints) and the input
 * offsets those outputs answer, committed together as one unit of work.
 *
 * <p>Exactly-once: one transactional producer; the open transaction is committed every commit interval
 * with the input offsets inside it ({@code sendOffsetsToTransaction}), as Kafka Streams does, so a
 * read_committed consumer sees each output once and a crash leaves no half-written unit. At-least-once:
 * the same producer without a transaction; the offsets are committed once the broker has every output.
 *
 * <p>The records of the open unit are kept until it is committed. When a commit fails (a broker outage, a
 * timeout, a record the broker refuses), the producer is made anew and the unit is sent again, so the
 * stream recovers by itself and loses nothing; a record refused as too large is replaced by its fallback
 * (a dead letter's truncated copy) or dropped and counted. Only being fenced (another instance took the
 * transactional id) is final. Only the trainer's thread calls this class.
 */
final class OutputLog {
    private static final Logger LOG = Logger.getLogger(OutputLog.class);
    /** A unit holding more than this is committed at once, whatever the interval. */
    private static final long MAX_UNIT_BYTES = 64L << 20;

    /** One record of the open unit; {@code source} is the input partition it answers (null: metrics, checkpoints). */
    private static final class Pending {
        ProducerRecord<String, byte[]> record;
        TopicPartition source;
        Runnable onCommitted;
        UnaryOperator<ProducerRecord<String, byte[]>> fallback; // what to send instead if it is refused; null = drop
        Consumer<Exception> onDropped;
        volatile Exception refused;
    }

    private final Supplier<Producer<String, byte[]>> factory;
    private final boolean transactional;
    private final Duration interval;
    private final Predicate<TopicPartition> owned;
    private final List<Pending> unit = new ArrayList<>();
    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private volatile ConsumerGroupMetadata group;
    private Producer<String, byte[]> producer;
    private boolean open;
    private long unitBytes;
    private long lastCommit = System.nanoTime();
    /** Bumped whenever the producer is made anew, so that a callback of the old one cannot mark a resent record. */
    private volatile int generation;
    /** Set once: a fenced instance never makes a producer again, which would fence the instance that took over. */
    private Fenced fenced;

    /**
     * @param factory makes the producer, with a transactional.id when {@code transactional}
     * @param owned whether this instance still owns an input partition (a revoked one's outputs are left to its new owner)
     */
    OutputLog(Supplier<Producer<String, byte[]>> factory, boolean transactional, Duration interval,
              Predicate<TopicPartition> owned) {
        this.factory = factory;
        this.transactional = transactional;
        this.interval = interval;
        this.owned = owned;
    }

    /** The consumer group's generation, from the latest assignment: transactions commit offsets under it. */
    void group(ConsumerGroupMetadata metadata) {
        this.group = metadata;
    }

    /** Makes the producer (and, with transactions, fences any older instance with the same transactional id). */
    void init() {
        if (fenced != null) throw fenced;
        if (producer != null) return;
        Producer<String, byte[]> p = factory.get();
        try {
            if (transactional) p.initTransactions();
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            throw e;
        }
        producer = p;
        generation++;
    }

    void send(ProducerRecord<String, byte[]> record, TopicPartition source, Runnable onCommitted,
              UnaryOperator<ProducerRecord<String, byte[]>> fallback, Consumer<Exception> onDropped) {
        Pending p = new Pending();
        p.record = record;
        p.source = source;
        p.onCommitted = onCommitted;
        p.fallback = fallback;
        p.onDropped = onDropped;
        unit.add(p);
        unitBytes += record.value() == null ? 0 : record.value().length;
        try {
            begin();
            transmit(p);
        } catch (KafkaException | IllegalStateException e) {
            // the unit fails as a whole at its commit, and is sent again then
            LOG.debugf("send failed, to be retried at the commit: %s", e);
        }
        if (unitBytes > MAX_UNIT_BYTES) commit();
    }

    /** The input partition's records before {@code next} are answered by what this unit holds. */
    void consumed(TopicPartition tp, long next) {
        offsets.merge(tp, new OffsetAndMetadata(next), (a, b) -> a.offset() >= b.offset() ? a : b);
    }

    void commitIfDue() {
        if ((!unit.isEmpty() || !offsets.isEmpty()) && System.nanoTime() - lastCommit >= interval.toNanos()) commit();
    }

    /**
     * Commits the open unit, retrying through failures until it is committed; returns the input offsets it
     * committed (at-least-once: the offsets the caller must now commit on the consumer).
     *
     * @throws Fenced when another instance took the transactional id over (or it is not authorized)
     */
    Map<TopicPartition, OffsetAndMetadata> commit() {
        lastCommit = System.nanoTime();
        if (fenced != null) throw fenced;
        if (unit.isEmpty() && offsets.isEmpty()) return Map.of();
        boolean failed = false;
        int attempt = 0;
        for (; ; attempt++) {
            try {
                if (failed) resend();
                commitOnce();
                break;
            } catch (KafkaException | IllegalStateException e) {
                if (isFatal(e) || isFatal(e.getCause())) throw fenced = new Fenced(e);
                failed = true;
                if (attempt % 10 == 0) {
                    LOG.warnf("Could not commit %d outputs and the offsets %s (%s); retrying (attempt %d), the stream waits",
                            unit.size(), offsets, e.toString(), attempt + 1);
                }
                abandonProducer();
                sleep(Math.min(5000, 100L << Math.min(attempt, 6)));
            }
        }
        if (failed) LOG.infof("Committed after %d failed attempts: the stream goes on", attempt);
        Map<TopicPartition, OffsetAndMetadata> committed = Map.copyOf(offsets);
        for (Pending p : unit) p.onCommitted.run();
        unit.clear();
        offsets.clear();
        unitBytes = 0;
        lastCommit = System.nanoTime();
        return committed;
    }

    private void commitOnce() {
        if (transactional) {
            begin();
            if (!offsets.isEmpty()) producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
            open = false;
        } else {
            init();
            producer.flush();
            for (Pending p : unit) {
                if (p.refused != null) throw new KafkaException("an output was not stored", p.refused);
            }
        }
    }

    /** After a failure: the unit again, through a new producer, without what is no longer ours or was refused. */
    private void resend() {
        unit.removeIf(p -> p.source != null && !owned.test(p.source)); // the partition's new owner answers it
        offsets.keySet().removeIf(tp -> !owned.test(tp));
        List<Pending> kept = new ArrayList<>(unit.size());
        for (Pending p : unit) {
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
        unit.clear();
        unit.addAll(kept);
        begin();
        for (Pending p : unit) transmit(p);
    }

    private void begin() {
        init();
        if (transactional && !open) {
            producer.beginTransaction();
            open = true;
        }
    }

    private void transmit(Pending p) {
        int sentBy = generation;
        producer.send(p.record, (meta, error) -> {
            if (error != null && sentBy == generation && p.refused == null) p.refused = error;
        });
    }

    /** Closing without waiting aborts what the old producer had in flight; the new one's init aborts its transaction. */
    private void abandonProducer() {
        if (producer == null) return;
        generation++;
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debugf("closing the failed producer: %s", e);
        }
        producer = null;
        open = false;
    }

    /**
     * A newer epoch of our transactional id is another instance's (ours are made anew after every failure, and
     * the transaction timeout outlasts outages): retrying would fence it in turn, and the two would take turns.
     */
    private static boolean isFatal(Throwable e) {
        return e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
                || e instanceof AuthorizationException || e instanceof UnsupportedVersionException;
    }

    /** Another instance took over this model set's transactional id: this one must stop writing. */
    static final class Fenced extends KafkaException {
        Fenced(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** At shutdown, after the last commit. */
    void close(Duration timeout) {
        if (producer != null) producer.close(timeout);
        producer = null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a commit", e);
        }
    }
}
