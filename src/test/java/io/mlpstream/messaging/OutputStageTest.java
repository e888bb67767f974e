package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The output stage's promises to the trainer: order, a commit after what came before it, failures reported, back-pressure. */
class OutputStageTest {

    @Test
    void tasksRunInTheOrderHandedOverOnTheStageThread() {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        try (OutputStage stage = new OutputStage("test-output")) {
            for (int i = 0; i < 20_000; i++) { // more than the queue holds: the caller waits, nothing is lost
                int n = i;
                stage.run(() -> {
                    ran.add("output " + n);
                    threads.add(Thread.currentThread().getName());
                });
            }
            // a commit waits for every output handed over before it
            int seen = stage.call(ran::size);
            assertEquals(20_000, seen);
        }
        for (int i = 0; i < 20_000; i++) assertEquals("output " + i, ran.get(i));
        assertTrue(threads.stream().allMatch("test-output"::equals), "every output is sent on the stage's thread");
    }

    @Test
    void aFailureOfAQueuedTaskIsRethrownToTheNextCallerOnce() throws Exception {
        IllegalStateException fenced = new IllegalStateException("fenced");
        try (OutputStage stage = new OutputStage("test-output")) {
            stage.run(() -> {
                throw fenced;
            });
            IllegalStateException thrown = null;
            for (int i = 0; i < 100 && thrown == null; i++) { // the first hand-over after it ran reports it
                try {
                    stage.call(() -> null);
                } catch (IllegalStateException e) {
                    thrown = e;
                }
            }
            assertSame(fenced, thrown);
            AtomicBoolean ranAfter = new AtomicBoolean();
            stage.run(() -> ranAfter.set(true)); // reported once: the caller decides (the runner stops the service)
            stage.call(() -> null);
            assertTrue(ranAfter.get());
        }
    }

    /** Review: an Error killed the thread silently, and the trainer then waited on a full queue forever. */
    @Test
    @Timeout(20) // before the fix the thread died and the next call waited forever: fail, do not hang
    void anErrorInATaskIsReportedAndTheStageGoesOn() {
        try (OutputStage stage = new OutputStage("test-output")) {
            stage.run(() -> {
                throw new OutOfMemoryError("test");
            });
            IllegalStateException thrown = null;
            for (int i = 0; i < 100 && thrown == null; i++) {
                try {
                    stage.call(() -> null);
                } catch (IllegalStateException e) {
                    thrown = e;
                }
            }
            assertTrue(thrown != null && thrown.getCause() instanceof OutOfMemoryError, "reported: " + thrown);
            assertEquals(2, (int) stage.call(() -> 2), "and the stage still sends");
        }
    }

    @Test
    void aFailingCallIsThrownToItsCaller() {
        try (OutputStage stage = new OutputStage("test-output")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> stage.call(() -> {
                throw new IllegalStateException("commit refused");
            }));
            assertEquals("commit refused", e.getMessage());
            assertEquals(1, (int) stage.call(() -> 1), "and not again to the next");
        }
    }

    @Test
    void closeSendsWhatWasHandedOverFirst() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        OutputStage stage = new OutputStage("test-output");
        stage.run(() -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 100; i++) {
            int n = i;
            stage.run(() -> ran.add(n));
        }
        release.countDown();
        stage.close();
        assertEquals(100, ran.size());
    }

    @Test
    void workHandedOverFromTheStageThreadItselfRunsAtOnce() {
        try (OutputStage stage = new OutputStage("test-output")) {
            // a commit's callback that sends again (a dead letter's fallback) must not wait on its own queue
            int inner = stage.call(() -> stage.call(() -> 7));
            assertEquals(7, inner);
        }
    }
}
