package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review S3: periodic work (the idle flush, the commit interval, label expiry) ran on scheduleWithFixedDelay, which
 * stops a task for good once it throws: one Error (an OutOfMemoryError) and the idle flush never ran again, silently.
 */
class TrainerThreadsTest {

    @Test
    void periodicWorkGoesOnAfterItFailed() throws Exception {
        TrainerThreads threads = TrainerThreads.create(null);
        AtomicInteger runs = new AtomicInteger();
        try {
            threads.every(10, () -> {
                if (runs.incrementAndGet() == 1) throw new OutOfMemoryError("once");
            });
            for (int i = 0; i < 100 && runs.get() < 3; i++) Thread.sleep(20);
            assertTrue(runs.get() >= 3, "ran " + runs.get() + " times");
        } finally {
            threads.stop();
        }
    }
}
