package io.mlpstream.messaging;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The output stage: one thread of its own ({@code mlp-output}) encodes and sends every output (prediction and metrics
 * JSON, the producer's send and compression) and commits, so that the trainer's thread only predicts and learns.
 *
 * <p>One thread and a FIFO queue keep everything in the order the trainer handed it over: a unit's outputs, then the
 * input offsets they answer ({@code consumed}), then a commit, so that no commit carries an offset ahead of its outputs.
 * The queue is bounded ({@value #CAPACITY} tasks): a trainer faster than the broker waits at {@link #run}, which is the
 * back-pressure. A task that fails (being fenced, above all) is rethrown to the trainer's thread at its next call,
 * where the runner stops the service as before; the tasks queued behind it still run, and fail the same way.
 */
final class OutputStage implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutputStage.class);
    /** About a second of outputs at full speed: enough to smooth a commit's pause, small enough to bound memory. */
    static final int CAPACITY = 8192;
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    /** The first failure of a queued task, not yet rethrown to a caller. */
    private volatile RuntimeException failed;

    OutputStage(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues the work behind everything handed over before it; waits only while the queue is full. */
    void run(Runnable work) {
        rethrowFailure();
        if (!thread.isAlive()) throw new IllegalStateException("the output stage has stopped: nothing more is sent");
        if (Thread.currentThread() == thread) { // a callback of the stage's own work: it is already in order
            work.run();
            return;
        }
        try {
            queue.put(work);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing over an output", e);
        }
    }

    /** Runs the work after everything queued before it and waits for its result (a commit that must be done). */
    <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == thread) return work.get();
        CompletableFuture<T> result = new CompletableFuture<>();
        run(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the outputs", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void rethrowFailure() {
        RuntimeException f = failed;
        if (f != null) {
            failed = null;
            throw f;
        }
    }

    private void loop() {
        while (true) { // until STOP
            Runnable work;
            try {
                work = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (work == STOP) return;
            try {
                work.run();
            } catch (Throwable t) { // an Error too: the thread goes on, and the trainer hears of it (review S3)
                if (failed == null) failed = t instanceof RuntimeException r ? r : new IllegalStateException(t);
                LOG.debugf("An output task failed (%s): the trainer's next hand-over rethrows it", t.toString());
            }
        }
    }

    /** Runs what is queued, then stops the thread; waits at most {@code millis}. */
    @Override
    public void close() {
        close(10_000);
    }

    void close(long millis) {
        try {
            if (!queue.offer(STOP, millis, TimeUnit.MILLISECONDS)) thread.interrupt();
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The output stage did not finish its queue in time");
            thread.interrupt();
        }
    }
}
