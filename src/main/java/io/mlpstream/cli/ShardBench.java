package io.mlpstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.Averager;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.Shard;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

/**
 * {@code bench --shards N}: data-parallel local SGD in memory, as the service's data-parallel mode runs it through
 * Kafka. Example i goes to shard {@code i % N} (as a round-robin producer spreads records over partitions); each shard
 * runs on its own thread, test-then-train in every epoch (as the service), and every {@code --sync-steps} of its steps sends its
 * update to the one {@link Averager} and rebases onto the newest version. The summary counts all shards.
 */
final class ShardBench {
    private ShardBench() {
    }

    static int run(Options o) throws Exception {
        int shards = o.intValue("shards", 1);
        int syncSteps = o.intValue("sync-steps", 50);
        ModelConfig model = Bench.modelConfig(o);
        OptimizerConfig opt = Bench.optimizerConfig(o);
        int batchSize = o.intValue("batch-size", TrainerConfig.DEFAULT.batchSize());
        int epochs = o.intValue("epochs", 1);
        Kernels kernels = Kernels.best();
        IdxReader.Images images = IdxReader.readImages(o.value("images", IdxReader.SAMPLE_IMAGES));
        byte[] labels = IdxReader.readLabels(o.value("labels", IdxReader.SAMPLE_LABELS), images);
        int n = Math.min(images.count(), o.intValue("limit", Integer.MAX_VALUE));
        model = model.withInputSize(images.size());
        System.err.printf("bench: %d examples, %d shards syncing every %d steps, %s, %s, batch %d, kernels: %s%n",
                n, shards, syncSteps, model, opt, batchSize, kernels.name());
        Bench.warmUp(model, opt, kernels, batchSize, images, labels, o.intValue("warmup-steps", 300));

        TrainerConfig trainerConfig = TrainerConfig.DEFAULT.withBatchSize(batchSize).withIdleFlush(Duration.ZERO);
        Learner first = Learner.create(model, opt, kernels);
        ModelVersion start = ModelVersion.first(first.network().parameters());
        Averager averager = new Averager(start, shards);
        List<Worker> workers = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            Learner learner = s == 0 ? first : Learner.create(model, opt, kernels); // same weights: rebased onto start
            workers.add(new Worker(new Shard(String.valueOf(s), new OnlineTrainer(learner, trainerConfig), start), s, shards,
                    averager, syncSteps, epochs, batchSize, images, labels, n));
        }
        CyclicBarrier go = new CyclicBarrier(shards + 1);
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            Thread t = new Thread(() -> w.run(go), "mlp-shard-" + w.index);
            t.start();
            threads.add(t);
        }
        go.await();
        long startNanos = System.nanoTime();
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - startNanos) / 1e9;

        long examples = 0, seen = 0, correct = 0, cpuNanos = 0, syncNanos = 0;
        for (Worker w : workers) {
            if (w.failure != null) throw new IllegalStateException("shard " + w.index + " failed", w.failure);
            examples += w.examples;
            seen += w.firstEpochSeen;
            correct += w.firstEpochCorrect;
            cpuNanos += w.cpuNanos;
            syncNanos += w.syncNanos;
        }
        ModelVersion last = averager.version();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("summary", true);
        summary.put("shards", shards);
        summary.put("syncSteps", syncSteps);
        summary.put("examples", examples);
        summary.put("seconds", Bench.round(seconds, 3));
        summary.put("examplesPerSecond", Math.round(examples / seconds));
        summary.put("cpuMicrosPerExample", Bench.round(cpuNanos / 1e3 / examples, 2)); // the sum over the shard threads
        summary.put("syncCpuShare", Bench.round((double) syncNanos / cpuNanos, 4)); // update, fold and rebase
        summary.put("prequentialAccuracy", Bench.round((double) correct / seen, 4)); // every shard's first pass
        summary.put("versions", last.number());
        if (o.has("test-images")) {
            Learner eval = Learner.create(model, opt, kernels);
            new Shard("eval", new OnlineTrainer(eval, trainerConfig), last); // loads the newest version's weights
            summary.put("testAccuracy", Bench.round(Bench.testAccuracy(eval, o.value("test-images"), o.value("test-labels")), 4));
        }
        summary.put("model", model.architecture());
        summary.put("optimizer", opt.type().label());
        summary.put("lr", opt.lr());
        summary.put("batchSize", batchSize);
        summary.put("epochs", epochs);
        summary.put("kernels", kernels.name());
        summary.put("openblasCoretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));
        summary.put("java", System.getProperty("java.version"));
        System.out.println(new ObjectMapper().writeValueAsString(summary));
        return 0;
    }

    /** One shard's loop on its own thread: its examples in order, batch by batch, a sync every syncSteps steps. */
    private static final class Worker {
        final Shard shard;
        final int index, shards, syncSteps, epochs, batchSize, n;
        final Averager averager;
        final IdxReader.Images images;
        final byte[] labels;
        long examples, firstEpochSeen, firstEpochCorrect, cpuNanos, syncNanos;
        Throwable failure;

        Worker(Shard shard, int index, int shards, Averager averager, int syncSteps, int epochs, int batchSize,
               IdxReader.Images images, byte[] labels, int n) {
            this.shard = shard;
            this.index = index;
            this.shards = shards;
            this.averager = averager;
            this.syncSteps = syncSteps;
            this.epochs = epochs;
            this.batchSize = batchSize;
            this.images = images;
            this.labels = labels;
            this.n = n;
        }

        void run(CyclicBarrier go) {
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            try {
                go.await();
                long cpuStart = cpu.getCurrentThreadCpuTime();
                OnlineTrainer trainer = shard.trainer();
                Examples chunk = new Examples(batchSize, images.size());
                long steps = 0;
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    for (int i = index; i < n; ) {
                        chunk.clear();
                        int size = 0;
                        for (; size < batchSize && i < n; i += shards) {
                            chunk.add(images.pixels(), i * images.size(), labels[i] & 0xFF);
                            size++;
                        }
                        trainer.process(chunk, TrainingListener.NONE); // test-then-train, as the service does
                        trainer.flush(TrainingListener.NONE); // the shard's last partial batch
                        examples += size;
                        if (++steps % syncSteps == 0) sync(cpu);
                    }
                    if (epoch == 1) {
                        firstEpochSeen = trainer.accuracy().seen();
                        firstEpochCorrect = trainer.accuracy().correct();
                    }
                }
                sync(cpu);
                cpuNanos = cpu.getCurrentThreadCpuTime() - cpuStart;
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void sync(ThreadMXBean cpu) {
            long before = cpu.getCurrentThreadCpuTime();
            averager.sync(shard);
            syncNanos += cpu.getCurrentThreadCpuTime() - before;
        }
    }
}
