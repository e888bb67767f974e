package io.mlpstream.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Acknowledges a polled batch once everything it owes is done: every labeled record trained on, every
 * prediction and dead letter acknowledged by the broker. Only then may its offsets be committed.
 * Starts at one (the batch being processed) so that it cannot reach zero half-way through.
 */
final class BatchAck {
    private final KafkaRecordBatch<String, byte[]> batch;
    private final AtomicInteger pending = new AtomicInteger(1);
    private final AtomicBoolean failed = new AtomicBoolean();

    BatchAck(KafkaRecordBatch<String, byte[]> batch) {
        this.batch = batch;
    }

    void expect(int n) {
        pending.addAndGet(n);
    }

    void done() {
        if (pending.decrementAndGet() == 0 && !failed.get()) {
            batch.ack();
        }
    }

    void fail(Throwable e) {
        if (failed.compareAndSet(false, true)) {
            batch.nack(e);
        }
    }
}
