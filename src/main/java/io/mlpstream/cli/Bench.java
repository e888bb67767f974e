package io.mlpstream.cli;

// Long because: the in-memory benchmark's options, its epochs and its JSON summary are one sequence a reader follows
// top to bottom.

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.ThreadMXBean;
import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.learn.WeightUpdate;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Init;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.nn.optim.OptimizerType;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory training benchmark: `./mlp-stream bench [options]`. One JSON object per line on
 * stdout (one per epoch, then the summary); everything else goes to stderr.
 */
public final class Bench {
    static final String HELP = """
            usage: mlp-stream bench [options]     trains in memory and prints JSON lines; the last is the summary
              --images FILE        idx3 images, gz or raw (default: the bundled 10,000 MNIST digits)
              --labels FILE        idx1 labels
              --test-images FILE   held-out images, for testAccuracy
              --test-labels FILE
              --model mlp|perceptron
              --hidden 256,128     hidden layer sizes
              --activation relu|leaky-relu|sigmoid|tanh
              --dropout P          inverted dropout probability
              --batch-size N
              --optimizer sgd|momentum|adam
              --lr LR   --momentum MU   --nesterov   --weight-decay WD   --clip-norm C
              --init he|xavier|torch   (torch = PyTorch's nn.Linear default, for comparisons)
              --epochs N   --seed S   --threads N (BLAS threads)   --limit N (first N examples)
              --warmup-steps N     untimed steps on a throwaway model first, for the JIT (default 300)
              --predict-every-epoch  predict each batch before training on it in every epoch, as the
                                   service does with every event (default: in the first epoch only)
              --lab                the lab preset's five models, each alone and all at once on the model
                                   workers (--chunk N records per poll, default 500; --rounds N, default 3)
              --shards N           data-parallel: N shards on N threads learn one model with local SGD,
                                   each sending its update to one averager every --sync-steps K of its
                                   steps (default 50) and rebasing onto the newest version
            With no options: the bundled sample and the service's default model.""";

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String[] args) throws Exception {
        Options o = new Options(args, HELP, "nesterov", "predict-every-epoch", "lab");
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        if (o.has("lab")) return LabBench.run(o);
        if (o.has("shards")) return ShardBench.run(o);
        ModelConfig model = modelConfig(o);
        OptimizerConfig opt = optimizerConfig(o);
        int batchSize = o.intValue("batch-size", TrainerConfig.DEFAULT.batchSize());
        int epochs = o.intValue("epochs", 1);

        Kernels kernels = Kernels.best();
        if (o.has("threads")) kernels.setThreads(o.intValue("threads", 1));
        IdxReader.Images images = IdxReader.readImages(o.value("images", IdxReader.SAMPLE_IMAGES));
        byte[] labels = IdxReader.readLabels(o.value("labels", IdxReader.SAMPLE_LABELS), images);
        int n = Math.min(images.count(), o.intValue("limit", Integer.MAX_VALUE));
        model = model.withInputSize(images.size());
        System.err.printf("bench: %d examples, %s, %s, batch %d, kernels: %s%n", n, model, opt, batchSize, kernels.name());

        Learner learner = Learner.create(model, opt, kernels);
        TrainerConfig trainerConfig = TrainerConfig.DEFAULT.withBatchSize(batchSize).withIdleFlush(Duration.ZERO);
        OnlineTrainer trainer = new OnlineTrainer(learner, trainerConfig);
        LossMeter loss = new LossMeter();
        Examples chunk = new Examples(batchSize, images.size());
        int[] batchY = new int[batchSize];
        warmUp(model, opt, kernels, batchSize, images, labels, o.intValue("warmup-steps", 300));
        ObjectMapper json = new ObjectMapper();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();

        boolean predictEveryEpoch = o.has("predict-every-epoch");
        double prequential = Double.NaN;
        long start = System.nanoTime(), cpuStart = threads.getCurrentThreadCpuTime(); // after the warm-up
        long steadyAllocStart = 0, steadyExamplesStart = 0, examples = 0, reportingAllocations = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long epochStart = System.nanoTime();
            loss.reset();
            for (int first = 0; first < n; first += batchSize) {
                int size = Math.min(batchSize, n - first);
                if (epoch == 1 && first >= n / 10 && steadyExamplesStart == 0) {
                    steadyAllocStart = threads.getThreadAllocatedBytes(tid);
                    steadyExamplesStart = examples;
                }
                chunk.clear();
                for (int i = first; i < first + size; i++) {
                    chunk.add(images.pixels(), i * images.size(), labels[i] & 0xFF);
                    batchY[i - first] = labels[i] & 0xFF;
                }
                if (epoch == 1 || predictEveryEpoch) {
                    trainer.process(chunk, loss); // test-then-train: predicts the batch, then steps on it
                } else {
                    loss.onStep(learner.rule().step(chunk.inputs(), batchY, WeightUpdate.DIRECT), trainer);
                }
                examples += size;
            }
            if (epoch == 1 || predictEveryEpoch) trainer.flushIfIdle(loss);
            if (epoch == 1) prequential = trainer.accuracy().cumulative();
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("epoch", epoch);
            line.put("examples", n);
            line.put("seconds", round(seconds, 3));
            line.put("examplesPerSecond", Math.round(n / seconds));
            line.put("loss", round(loss.mean(), 4));
            if (epoch == 1) line.put("prequentialAccuracy", round(prequential, 4));
            line.put("heapUsedBytes", usedHeap());
            long before = threads.getThreadAllocatedBytes(tid);
            System.out.println(json.writeValueAsString(line));
            reportingAllocations += threads.getThreadAllocatedBytes(tid) - before; // not training's
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3; // this thread's clock: the serial cost
        long allocated = threads.getThreadAllocatedBytes(tid) - steadyAllocStart - reportingAllocations;

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("summary", true);
        summary.put("examples", examples);
        summary.put("seconds", round(seconds, 3));
        summary.put("examplesPerSecond", Math.round(examples / seconds));
        summary.put("cpuMicrosPerExample", round(cpuMicros / examples, 2));
        summary.put("prequentialAccuracy", round(prequential, 4)); // the first pass: later ones have seen the data
        summary.put("predictEveryEpoch", predictEveryEpoch);
        if (o.has("test-images")) {
            summary.put("testAccuracy", round(testAccuracy(learner, o.value("test-images"), o.value("test-labels")), 4));
        }
        summary.put("allocatedBytesPerExample", round((double) allocated / Math.max(1, examples - steadyExamplesStart), 2));
        summary.put("model", model.architecture());
        summary.put("dropout", model.dropout());
        summary.put("init", model.effectiveInit().name().toLowerCase());
        summary.put("optimizer", opt.type().label());
        summary.put("lr", opt.lr());
        summary.put("batchSize", batchSize);
        summary.put("epochs", epochs);
        summary.put("kernels", kernels.name());
        summary.put("blasCore", kernels.core()); // which kernels run: the environment may pin them
        summary.put("openblasCoretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));
        summary.put("java", System.getProperty("java.version"));
        System.out.println(json.writeValueAsString(summary));
        return 0;
    }

    /** The service's default model, with each option given on the command line changed. */
    static ModelConfig modelConfig(Options o) {
        ModelConfig model = ModelConfig.DEFAULT;
        if (o.has("model")) model = model.withType(ModelType.parse(o.value("model")));
        if (o.has("hidden")) model = model.withHidden(Arrays.stream(o.value("hidden").split(","))
                .filter(s -> !s.isBlank()).map(s -> Integer.parseInt(s.trim())).toList());
        if (o.has("activation")) model = model.withActivation(Activation.parse(o.value("activation")));
        if (o.has("dropout")) model = model.withDropout(Float.parseFloat(o.value("dropout")));
        if (o.has("init")) model = model.withInit(Init.parse(o.value("init")));
        if (o.has("seed")) model = model.withSeed(Long.parseLong(o.value("seed")));
        return model;
    }

    /** The service's default optimizer; another optimizer starts from PyTorch's own defaults for it. */
    static OptimizerConfig optimizerConfig(Options o) {
        OptimizerConfig opt = OptimizerConfig.DEFAULT;
        if (o.has("optimizer")) opt = opt.withType(OptimizerType.parse(o.value("optimizer")));
        if (o.has("lr")) opt = opt.withLr(Float.parseFloat(o.value("lr")));
        if (o.has("momentum")) opt = opt.withMomentum(Float.parseFloat(o.value("momentum")));
        if (o.has("nesterov")) opt = opt.withNesterov(true);
        if (o.has("weight-decay")) opt = opt.withWeightDecay(Float.parseFloat(o.value("weight-decay")));
        if (o.has("clip-norm")) opt = opt.withClipNorm(Float.parseFloat(o.value("clip-norm")));
        return opt;
    }

    /**
     * Lets the JIT compile the hot loops before the clock starts, on a throwaway model of the same
     * shape (the measured model starts fresh). The PyTorch script warms up the same way.
     */
    static void warmUp(ModelConfig model, OptimizerConfig opt, Kernels kernels, int batchSize,
                               IdxReader.Images images, byte[] labels, int steps) {
        if (steps <= 0) return;
        Learner scratch = Learner.create(model.withSeed(model.seed() + 1), opt, kernels);
        OnlineTrainer t = new OnlineTrainer(scratch, TrainerConfig.DEFAULT.withBatchSize(batchSize).withIdleFlush(Duration.ZERO));
        Examples chunk = new Examples(batchSize, images.size());
        for (int s = 0; s < steps; s++) {
            chunk.clear();
            for (int i = 0; i < batchSize; i++) {
                int e = (s * batchSize + i) % images.count();
                chunk.add(images.pixels(), e * images.size(), labels[e] & 0xFF);
            }
            t.process(chunk, TrainingListener.NONE);
        }
    }

    static double testAccuracy(Learner learner, String imagesFile, String labelsFile) throws Exception {
        IdxReader.Images test = IdxReader.readImages(imagesFile);
        byte[] labels = IdxReader.readLabels(labelsFile, test);
        Sequential eval = learner.inferenceReplica();
        Examples chunk = new Examples(256, test.size());
        long correct = 0;
        for (int first = 0; first < test.count(); first += 256) {
            chunk.clear();
            int size = Math.min(256, test.count() - first);
            for (int i = first; i < first + size; i++) chunk.add(test.pixels(), i * test.size(), labels[i] & 0xFF);
            Tensor logProbs = eval.forward(chunk.inputs());
            for (int i = 0; i < size; i++) if (logProbs.argmax(i) == chunk.label(i)) correct++;
        }
        return (double) correct / test.count();
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Mean training loss over an epoch, weighted by batch size. */
    private static final class LossMeter implements TrainingListener {
        private double sum;
        private long count;

        @Override
        public void onStep(StepStats stats, OnlineTrainer trainer) {
            sum += (double) stats.loss * stats.batchSize;
            count += stats.batchSize;
        }

        void reset() {
            sum = 0;
            count = 0;
        }

        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }
}
