package io.mlpstream.messaging;

// Long because: one state machine under one lock (open, committing, resend, fenced, closing) for both delivery
// modes; split, each half would reach into the other's state.

import java.time.Duration;
import java.util.Collection;
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
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
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
 * transactional id) is final. The trainer's thread calls it; the shutdown closes it from another.
 */
final class OutputLog {
    private static final Logger LOG = Logger.getLogger(OutputLog.class);
    /** A unit holding more than this is committed at once, whatever the interval. */
    private static final long MAX_UNIT_BYTES = 64L << 20;

    private final Supplier<Producer<String, byte[]>> factory;
    private final boolean transactional;
    private final Duration interval;
    private final Predicate<TopicPartition> owned;
    private final Consumer<Map<TopicPartition, OffsetAndMetadata>> commitOffsets;
    private final OpenUnit unit = new OpenUnit();
    private volatile ConsumerGroupMetadata group;
    private Producer<String, byte[]> producer;
    private boolean open;
    private long lastCommit = System.nanoTime();
    /** The producer's transaction.timeout.ms (Outputs sets it from this). */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(5);
    private final Duration transactionTimeout;
    /** When the open transaction began (nanoTime). */
    private long beganAt;
    /** Bumped whenever the producer is made anew, so that a callback of the old one cannot mark a resent record. */
    private volatile int generation;
    /** Set once: a fenced instance never makes a producer again, which would fence the instance that took over. */
    private Fenced fenced;
    /** The unit must be sent again, through a new producer, before it can be committed. */
    private boolean mustResend;
    /** commitTransaction was called for the open transaction: it may have reached the broker. */
    private boolean committing;
    private volatile boolean closing;
    private volatile long failures;
    /** Units committed, and the time their commits took (the caller's thread waits that long). */
    private volatile long commits, commitNanos;

    /**
     * @param factory makes the producer, with a transactional.id when {@code transactional}
     * @param owned whether this instance still owns an input partition (a revoked one's outputs are left to its new owner)
     * @param commitOffsets at-least-once: commits the offsets on the consumer once their outputs are stored
     */
    OutputLog(Supplier<Producer<String, byte[]>> factory, boolean transactional, Duration interval,
              Predicate<TopicPartition> owned, Consumer<Map<TopicPartition, OffsetAndMetadata>> commitOffsets) {
        this(factory, transactional, interval, owned, commitOffsets, TRANSACTION_TIMEOUT);
    }

    /** @param transactionTimeout the producer's transaction.timeout.ms: after it, the coordinator aborts an open transaction */
    OutputLog(Supplier<Producer<String, byte[]>> factory, boolean transactional, Duration interval,
              Predicate<TopicPartition> owned, Consumer<Map<TopicPartition, OffsetAndMetadata>> commitOffsets,
              Duration transactionTimeout) {
        this.transactionTimeout = transactionTimeout;
        this.factory = factory;
        this.transactional = transactional;
        this.interval = interval;
        this.owned = owned;
        this.commitOffsets = commitOffsets;
    }

    /** The consumer group's generation, from the latest assignment: transactions commit offsets under it. */
    void group(ConsumerGroupMetadata metadata) {
        this.group = metadata;
    }

    /** Makes the producer (and, with transactions, fences any older instance with the same transactional id). */
    synchronized void init() {
        if (fenced != null) throw fenced;
        if (closing) throw new IllegalStateException("the outputs are closed");
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

    synchronized void send(ProducerRecord<String, byte[]> record, TopicPartition source, Runnable onCommitted,
              UnaryOperator<ProducerRecord<String, byte[]>> fallback, Consumer<Exception> onDropped) {
        OpenUnit.Pending p = unit.add(record, source, onCommitted, fallback, onDropped);
        if (mustResend) return; // the whole unit, this record with it, goes out again at the commit
        try {
            begin();
            transmit(p);
        } catch (KafkaException | IllegalStateException e) {
            // the unit fails as a whole at its commit, and is sent again then
            LOG.debugf("send failed, to be retried at the commit: %s", e);
        }
    }

    /** The input partition's records before {@code next} are answered by what this unit holds. */
    synchronized void consumed(TopicPartition tp, long next) {
        unit.consumed(tp, next);
    }

    /** Between records only (never inside {@link #send}): a unit's offsets must not run ahead of its outputs. */
    synchronized void commitIfDue() {
        boolean due = System.nanoTime() - lastCommit >= interval.toNanos() || unit.bytes() > MAX_UNIT_BYTES;
        if (!unit.isEmpty() && due) commit(true);
    }

    /** Partitions lost without a revocation: their outputs in the open unit are dropped (their new owner answers them). */
    synchronized void discard(Collection<TopicPartition> lost) {
        unit.forget(lost);
        if (unit.answers(lost)) {
            abandonProducer(); // aborts what was sent of the unit; the next commit sends the rest again
            mustResend = true;
        }
    }

    /**
     * Commits the open unit, retrying through failures until it is committed; returns the input offsets it
     * committed. At-least-once, they are then committed on the consumer if {@code onConsumer}; else (in a
     * rebalance callback, on the polling thread) the caller commits them itself.
     *
     * @throws Fenced when another instance took the transactional id over (or it is not authorized)
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> commit(boolean onConsumer) {
        long started = System.nanoTime();
        lastCommit = started;
        if (fenced != null) throw fenced;
        if (unit.isEmpty()) return Map.of();
        int attempt = 0;
        for (; ; attempt++) {
            try {
                if (mustResend) resend();
                commitOnce();
                break;
            } catch (KafkaException | IllegalStateException e) {
                if (isFatal(e) || isFatal(e.getCause()) || takenOver(e)) throw fenced = new Fenced(e);
                if (closing) {
                    mustResend = true; // whatever was sent is aborted at the close
                    throw e;
                }
                failures++;
                if (attempt % 10 == 0) {
                    LOG.warnf("Could not commit %d outputs and the offsets %s (%s); retrying (attempt %d), the stream waits",
                            unit.records.size(), unit.offsets(), e.toString(), attempt + 1);
                }
                if (!(committing && e instanceof TimeoutException)) {
                    // nothing of the unit can be committed: abort it, send it again. (A commit that timed out may have
                    // reached the broker: it is retried as it is, never sent again, which would commit it twice.)
                    committing = false;
                    abandonProducer();
                    mustResend = true;
                }
                sleep(Math.min(5000, 100L << Math.min(attempt, 6)));
            }
        }
        if (attempt > 0) LOG.infof("Committed after %d failed attempts: the stream goes on", attempt);
        Map<TopicPartition, OffsetAndMetadata> committed = unit.offsets();
        if (!transactional && onConsumer && !committed.isEmpty()) commitOffsets.accept(committed);
        unit.committed();
        lastCommit = System.nanoTime();
        commitNanos += lastCommit - started;
        commits++;
        return committed;
    }

    private void commitOnce() {
        if (transactional) {
            if (!committing) {
                begin();
                Map<TopicPartition, OffsetAndMetadata> offsets = unit.offsets();
                if (!offsets.isEmpty()) producer.sendOffsetsToTransaction(offsets, group);
                committing = true;
            }
            producer.commitTransaction();
            committing = false;
            open = false;
        } else {
            init();
            producer.flush();
            for (OpenUnit.Pending p : unit.records) {
                if (p.refused != null) throw new KafkaException("an output was not stored", p.refused);
            }
        }
    }

    /**
     * After a failure: the unit again, through a new producer, without what is no longer ours or was refused; without
     * a transaction, without what the broker already stored either (review finding 10: a refused record would
     * otherwise publish its whole commit interval twice).
     */
    private void resend() {
        mustResend = false;
        unit.prepareResend(owned);
        begin();
        for (OpenUnit.Pending p : unit.records) {
            if (transactional || !p.stored) transmit(p);
        }
    }

    private void begin() {
        init();
        if (transactional && !open) {
            producer.beginTransaction();
            open = true;
            beganAt = System.nanoTime();
        }
    }

    private void transmit(OpenUnit.Pending p) {
        int sentBy = generation;
        producer.send(p.record, (meta, error) -> {
            if (error == null) p.stored = true; // by whichever producer: an acknowledged record is in the topic
            else if (sentBy == generation && p.refused == null) p.refused = error;
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
     * Another instance initialized our transactional id (ProducerFencedException, or InvalidProducerEpochException,
     * which Kafka 4's brokers also answer a fenced producer): retrying would fence it in turn, and the two would take
     * turns. One case of InvalidProducerEpochException is not that: a commit in flight for longer than the transaction
     * timeout (an outage), which the coordinator aborted on its timeout, bumping the epoch; then a new producer sends
     * the unit again (review S1, {@link #takenOver}).
     */
    private boolean takenOver(Exception e) {
        boolean epoch = e instanceof InvalidProducerEpochException || e.getCause() instanceof InvalidProducerEpochException;
        return epoch && !(committing && System.nanoTime() - beganAt >= transactionTimeout.toNanos());
    }

    private static boolean isFatal(Throwable e) {
        return e instanceof ProducerFencedException || e instanceof AuthorizationException || e instanceof UnsupportedVersionException;
    }

    /** Another instance took over this model set's transactional id: this one must stop writing. */
    static final class Fenced extends KafkaException {
        Fenced(Throwable cause) {
            super(cause.getMessage(), cause);
        }

        /** Why this instance stops, for its log: refused the transactional id, or another instance took it over. */
        String explain(String transactionalId) {
            boolean refused = getCause() instanceof AuthorizationException || getCause() instanceof UnsupportedVersionException;
            return String.format(refused ? "This instance may not use transactional id %s (%s): this one stops. Grant it, or set "
                    + "mlp.delivery.guarantee=at-least-once for a broker without transactions."
                    : "Another instance took over transactional id %s (%s): this one stops. Run one trainer per model set, "
                    + "or mlp.training.mode=data-parallel.", transactionalId, getMessage());
        }
    }

    long commits() {
        return commits;
    }

    long commitNanos() {
        return commitNanos;
    }

    /** Commit attempts that failed (and were retried), since the start. */
    long failures() {
        return failures;
    }

    /** At shutdown, after the last commit: what is still open is aborted, so that read_committed readers go on at once. */
    void close(Duration timeout) {
        closing = true;
        synchronized (this) {
            if (producer == null) return;
            try {
                if (open && fenced == null) producer.abortTransaction();
            } catch (RuntimeException e) {
                LOG.debugf("aborting at shutdown: %s", e);
            }
            producer.close(timeout);
            producer = null;
        }
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
