package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The unit of work that carries every output with the input offsets it answers, over Kafka's MockProducer: what is
 * sent again after a failure, what never is, and what fencing and shutdown do. No broker: the broker tests are the net.
 */
class OutputLogTest {
    private static final TopicPartition IN = new TopicPartition("images", 0);
    private final List<MockProducer<String, byte[]>> producers = new ArrayList<>();
    private final List<Map<TopicPartition, OffsetAndMetadata>> consumerCommits = new ArrayList<>();
    private Set<TopicPartition> owned = Set.of(IN);
    private boolean autoComplete = true;

    private OutputLog log(boolean transactional) {
        return log(transactional, OutputLog.TRANSACTION_TIMEOUT);
    }

    private OutputLog log(boolean transactional, Duration transactionTimeout) {
        OutputLog log = new OutputLog(() -> {
            MockProducer<String, byte[]> p = new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
            producers.add(p);
            return p;
        }, transactional, Duration.ofHours(1), tp -> owned.contains(tp), consumerCommits::add, transactionTimeout);
        log.group(new ConsumerGroupMetadata("g"));
        return log;
    }

    private static ProducerRecord<String, byte[]> prediction(int i) {
        return new ProducerRecord<>("predictions", 0, "id-" + i, new byte[] {(byte) i});
    }

    private static void send(OutputLog log, ProducerRecord<String, byte[]> r, Runnable onCommitted, AtomicInteger dropped) {
        log.send(r, IN, onCommitted, null, e -> dropped.incrementAndGet());
    }

    /** Review finding 10: at-least-once, a record the broker refused must not send the stored ones of its unit again. */
    @Test
    void atLeastOnceARefusedRecordDoesNotPublishItsWholeUnitAgain() {
        autoComplete = false;
        OutputLog log = log(false);
        AtomicInteger committed = new AtomicInteger(), dropped = new AtomicInteger();
        for (int i = 0; i < 50; i++) send(log, prediction(i), committed::incrementAndGet, dropped);
        send(log, new ProducerRecord<>("images-dlq", 0, "huge", new byte[1000]), committed::incrementAndGet, dropped);
        log.consumed(IN, 51);
        MockProducer<String, byte[]> first = producers.get(0);
        for (int i = 0; i < 50; i++) first.completeNext();
        first.errorNext(new RecordTooLargeException("too large"));
        autoComplete = true;

        assertEquals(Map.of(IN, new OffsetAndMetadata(51)), log.commit(true));
        assertEquals(2, producers.size(), "the failed producer was made anew");
        assertEquals(List.of(), producers.get(1).history(), "nothing the broker had stored is sent again");
        assertEquals(1, dropped.get(), "the refused record, without a fallback, is dropped and counted");
        assertEquals(50, committed.get());
        assertEquals(List.of(Map.of(IN, new OffsetAndMetadata(51))), consumerCommits, "offsets committed after their outputs");
    }

    /** A commit that timed out may have reached the broker: it is retried as it is, never sent again. */
    @Test
    void aCommitThatTimedOutIsRetriedNeverSentAgain() {
        OutputLog log = log(true);
        AtomicInteger committed = new AtomicInteger(), dropped = new AtomicInteger();
        send(log, prediction(1), committed::incrementAndGet, dropped);
        log.consumed(IN, 1);
        MockProducer<String, byte[]> p = producers.get(0);
        commitTimesOutThen(p, null);
        log.commit(true);
        assertEquals(1, producers.size(), "the same producer");
        assertEquals(1, p.history().size(), "sent once");
        assertTrue(p.transactionCommitted());
        assertEquals(1, committed.get());
    }

    /**
     * Review S1: an outage longer than the transaction timeout while a commit is in flight. The coordinator aborts
     * the transaction on its timeout and bumps the epoch, so the retried commit fails with InvalidProducerEpochException,
     * which Kafka documents as abortable: a new producer sends the unit again. It is not another instance taking over
     * (that is ProducerFencedException), and must not end the process as one.
     */
    @Test
    void aCommitTheCoordinatorAbortedOnItsTimeoutIsSentAgainNotFenced() {
        OutputLog log = log(true, Duration.ofMillis(100)); // the commit is in flight for longer (150 ms)
        AtomicInteger committed = new AtomicInteger(), dropped = new AtomicInteger();
        send(log, prediction(1), committed::incrementAndGet, dropped);
        log.consumed(IN, 1);
        MockProducer<String, byte[]> p = producers.get(0);
        commitTimesOutThen(p, new InvalidProducerEpochException("the transaction timed out and was aborted"));
        assertEquals(Map.of(IN, new OffsetAndMetadata(1)), log.commit(true));
        assertEquals(2, producers.size(), "a new producer");
        assertEquals(List.of("id-1"), producers.get(1).history().stream().map(ProducerRecord::key).toList(), "the unit sent again");
        assertTrue(producers.get(1).transactionCommitted());
        assertEquals(1, committed.get());
    }

    /**
     * Within the transaction timeout a newer epoch is another instance's, whichever of the two exceptions says so
     * (Kafka 4's brokers answer a fenced producer InvalidProducerEpochException too): fenced, no new producer, which
     * would fence the new instance in turn (DeliveryIT caught the two taking turns).
     */
    @Test
    void aNewerEpochWithinTheTransactionTimeoutIsAnotherInstance() {
        OutputLog log = log(true);
        send(log, prediction(1), () -> { }, new AtomicInteger());
        log.consumed(IN, 1);
        producers.get(0).commitTransactionException = new InvalidProducerEpochException("a newer epoch");
        assertThrows(OutputLog.Fenced.class, () -> log.commit(true));
        assertEquals(1, producers.size());
    }

    /** Any other failure: the unit is aborted and sent again whole, without the outputs of partitions no longer ours. */
    @Test
    void aFailedUnitIsSentAgainWithoutWhatAnotherInstanceNowOwns() {
        OutputLog log = log(true);
        AtomicInteger committed = new AtomicInteger(), dropped = new AtomicInteger();
        TopicPartition other = new TopicPartition("images", 1);
        owned = Set.of(IN, other);
        send(log, prediction(1), committed::incrementAndGet, dropped);
        log.send(prediction(2), other, committed::incrementAndGet, null, e -> dropped.incrementAndGet());
        log.consumed(IN, 1);
        log.consumed(other, 7);
        producers.get(0).commitTransactionException = new IllegalStateException("broken");
        owned = Set.of(IN); // partition 1 was revoked meanwhile
        Map<TopicPartition, OffsetAndMetadata> offsets = log.commit(true);
        assertEquals(Map.of(IN, new OffsetAndMetadata(1)), offsets);
        assertEquals(List.of("id-1"), producers.get(1).history().stream().map(ProducerRecord::key).toList());
        assertTrue(producers.get(1).transactionCommitted());
    }

    /** Fenced is final: no producer is ever made again, which would fence the instance that took over. */
    @Test
    void onceFencedNoProducerIsMadeAgain() {
        OutputLog log = log(true);
        AtomicInteger dropped = new AtomicInteger();
        send(log, prediction(1), () -> { }, dropped);
        log.consumed(IN, 1);
        producers.get(0).commitTransactionException = new ProducerFencedException("another instance");
        assertThrows(OutputLog.Fenced.class, () -> log.commit(true));
        assertThrows(OutputLog.Fenced.class, log::init);
        assertThrows(OutputLog.Fenced.class, () -> log.commit(true));
        assertEquals(1, producers.size());
    }

    /** At shutdown the open transaction is aborted, so that read_committed readers go on at once. */
    @Test
    void theOpenTransactionIsAbortedAtShutdown() {
        OutputLog log = log(true);
        send(log, prediction(1), () -> { }, new AtomicInteger());
        log.close(Duration.ofSeconds(1));
        assertTrue(producers.get(0).transactionAborted());
        assertTrue(producers.get(0).closed());
    }

    /** The commit times out for 150 ms; then it fails with {@code then}, or succeeds when that is null. */
    private static void commitTimesOutThen(MockProducer<String, byte[]> p, RuntimeException then) {
        p.commitTransactionException = new TimeoutException("the coordinator did not answer");
        new Thread(() -> {
            sleep(150);
            p.commitTransactionException = then;
        }).start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
