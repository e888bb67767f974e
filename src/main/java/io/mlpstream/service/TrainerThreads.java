package io.mlpstream.service;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The threads that drive the models. One thread, {@code mlp-trainer}, does everything in order: the stream's
 * chunks, idle flushes, admin work, checkpoints, changes to the set of models. Within a chunk it hands each
 * model to a worker ({@code mlp-model-N}, one per core) and waits for all of them, so that several models
 * learn in parallel while each is still driven by one thread at a time.
 */
@ApplicationScoped
public class TrainerThreads {
    private static final Logger LOG = Logger.getLogger(TrainerThreads.class);
    @Inject
    MlpConfig config;

    private ScheduledExecutorService trainer;
    private ExecutorService workers;

    /**
     * Not in field initializers: CDI's client proxy is a subclass of this class, and would start threads of its
     * own that nothing stops (and that keep a stopped application in memory).
     */
    @PostConstruct
    void create() {
        AtomicInteger ids = new AtomicInteger();
        trainer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mlp-trainer"));
        workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> daemon(r, "mlp-model-" + ids.incrementAndGet()));
    }

    /** Outside CDI (the benchmark): made and started at once. */
    public static TrainerThreads create(MlpConfig config) {
        TrainerThreads t = new TrainerThreads();
        t.config = config;
        t.create();
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs work on the trainer's thread and waits for its result (30 s at most). */
    public <T> T call(Callable<T> work) throws Exception {
        Future<T> task = trainer.submit(work);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            task.cancel(false); // not started yet: never; started: it runs to its end
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * Admin work on the trainer's thread. If the trainer does not get to it within {@code mlp.api.admin-timeout}
     * it is withdrawn and refused (503), so that a change the caller was told failed never happens later;
     * once started, it is waited for.
     */
    public <T> T callAdmin(Callable<T> work) throws Exception {
        Future<T> task = trainer.submit(work);
        try {
            try {
                return task.get(config.api().adminTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (task.cancel(false)) {
                    throw new Refused(503, "Trainer busy", "the trainer did not get to this within "
                            + config.api().adminTimeout().toSeconds() + " s; nothing was changed, try again");
                }
                return task.get(); // it started just now: its outcome is the answer
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** Runs work on the trainer's thread; the stage completes when it has run. */
    public CompletionStage<Void> submit(Runnable work) {
        return CompletableFuture.runAsync(work, trainer);
    }

    /**
     * Runs work on the trainer's thread every {@code millis}. A failure is logged and the work runs again:
     * scheduleWithFixedDelay alone would stop it for good, silently, at its first Error (review S3).
     */
    public void every(long millis, Runnable work) {
        trainer.scheduleWithFixedDelay(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                LOG.errorf(t, "Periodic work failed; it runs again in %d ms", millis);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** How long each item's work took last time, for {@link #eachInParallel}. */
    private final Map<Object, Long> lastNanos = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * From the trainer's thread: {@code work(item)} for every item, on the workers, and waits for all. The items
     * whose work took longest last time start first: with five models on two cores, starting the slowest last
     * would leave one core idle while it finishes (longest-processing-time-first scheduling).
     */
    public <T> void eachInParallel(List<T> items, Consumer<T> work) {
        List<T> longestFirst = new ArrayList<>(items);
        longestFirst.sort(Comparator.comparingLong((T item) -> lastNanos.getOrDefault(item, 0L)).reversed());
        List<Runnable> tasks = new ArrayList<>(longestFirst.size());
        for (T item : longestFirst) {
            tasks.add(() -> {
                long start = System.nanoTime();
                work.accept(item);
                lastNanos.put(item, System.nanoTime() - start);
            });
        }
        inParallel(tasks);
    }

    /** From the trainer's thread: runs the tasks on the workers and waits for all; the first failure is rethrown. */
    public void inParallel(List<Runnable> tasks) {
        if (tasks.size() == 1) {
            tasks.get(0).run(); // no hand-over for one model
            return;
        }
        List<Future<?>> running = new ArrayList<>(tasks.size());
        for (Runnable t : tasks) running.add(workers.submit(t));
        RuntimeException failure = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException(e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) throw failure;
    }

    @PreDestroy
    void stop() {
        trainer.shutdown();
        workers.shutdown();
        try {
            trainer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
