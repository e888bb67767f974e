package io.mlpstream.learn;

// Long because: test-then-train, the fixed mini-batch buffer, the checkpoint and the swap all touch the same buffer
// and step count under one lock.

import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Learns from a stream, test-then-train:
 * <ol>
 *   <li>each arriving example is predicted in inference mode (dropout off), by a replica of the
 *       model that shares its weights, never by reusing the training pass;</li>
 *   <li>labeled examples are buffered, and each time the buffer holds {@code batchSize} of them the model
 *       takes one step on exactly those;</li>
 *   <li>a partial batch is trained once its oldest example has waited {@code idleFlush}, whatever else
 *       arrives meanwhile (unlabeled traffic included), like PyTorch's last
 *       smaller batch, so that ten images sent by hand are learned too.</li>
 * </ol>
 * One thread drives the trainer. {@link #predict} may be called from any thread at the same time: it
 * takes a read lock that excludes only the weight update.
 */
public final class OnlineTrainer {
    private final Learner learner;
    private final Sequential evaluator;
    private final PrequentialAccuracy accuracy;
    private final ReentrantReadWriteLock weights = new ReentrantReadWriteLock();
    /** A rule's change of the weights, with the step count, under the write lock. */
    private final WeightUpdate publish = change -> {
        weights.writeLock().lock();
        try {
            change.run();
            this.step++;
            this.weightsVersion++;
        } finally {
            weights.writeLock().unlock();
        }
    };
    private final ThreadLocal<Sequential> readers;
    private final LongSupplier nanoClock;
    private final int inputSize;
    private TrainerConfig config;
    private Tensor batchX;
    private Tensor segment;
    private final float[] rowLogProbs;
    private int[] batchY;
    private int buffered;
    /** When the oldest example in the buffer arrived: it waits at most idleFlush for the batch to fill. */
    private long oldestBuffered;
    private volatile long step;
    /** Bumped by every change of the weights (a step, an adopted copy, a loaded snapshot): the step alone can stay. */
    private volatile long weightsVersion;
    private long examplesTrained;
    private long examplesPredicted;
    private long skippedSteps;
    private volatile float lastLoss = Float.NaN;

    public OnlineTrainer(Learner learner, TrainerConfig config) {
        this(learner, config, System::nanoTime);
    }

    public OnlineTrainer(Learner learner, TrainerConfig config, LongSupplier nanoClock) {
        this.learner = learner;
        this.evaluator = learner.inferenceReplica();
        this.readers = ThreadLocal.withInitial(learner::inferenceReplica);
        this.config = config;
        this.nanoClock = nanoClock;
        this.inputSize = learner.config().inputSize();
        this.accuracy = new PrequentialAccuracy(learner.config().classes(), config.window());
        this.rowLogProbs = new float[learner.config().classes()];
        allocateBatch(config.batchSize());
    }

    private void allocateBatch(int size) {
        batchX = new Tensor(size, inputSize);
        batchY = new int[size];
    }

    /**
     * Test-then-train over a chunk of arrivals, in order: a run of examples is predicted, its labeled
     * ones are buffered, and the model steps as soon as the buffer is full, before the next run is
     * predicted. A run never holds more examples than the buffer has room for, so every example is
     * predicted by a model that has learned from all the labeled examples before it, except at most
     * one partial batch.
     */
    public void process(Examples chunk, TrainingListener listener) {
        for (int start = 0; start < chunk.size(); ) {
            int run = Math.min(chunk.size() - start, batchX.rows() - buffered);
            predictAndBuffer(chunk, start, run, listener);
            if (buffered == batchX.rows()) {
                trainBuffered(listener);
            }
            start += run;
        }
    }

    private void predictAndBuffer(Examples chunk, int start, int run, TrainingListener listener) {
        segment = Tensor.reuse(segment, run, inputSize);
        chunk.copyRows(start, run, segment);
        Tensor logProbs = evaluator.forward(segment);              // (run, classes), dropout off
        long modelStep = step;
        for (int r = 0; r < run; r++) {
            int i = start + r;
            int label = chunk.label(i);
            if (label == Examples.SKIPPED) continue;
            for (int c = 0; c < rowLogProbs.length; c++) rowLogProbs[c] = logProbs.get(r, c);
            int predicted = logProbs.argmax(r);
            float loss = Float.NaN;
            if (label != Examples.UNLABELED) {
                loss = -rowLogProbs[label];
                int scoredAs = chunk.scoredAs(i); // a late label: the prediction made on the image's arrival
                accuracy.add(label, scoredAs >= 0 ? scoredAs : predicted);
                chunk.copyRow(i, batchX, buffered);
                if (buffered == 0) oldestBuffered = nanoClock.getAsLong();
                batchY[buffered++] = label;
            }
            if (chunk.scoredAs(i) < 0) examplesPredicted++; // else counted when its image arrived and was predicted
            listener.onPrediction(i, predicted, rowLogProbs, loss, modelStep);
        }
    }

    /** Trains on a partial batch once its oldest example has waited idleFlush. Returns true if it did. */
    public boolean flushIfIdle(TrainingListener listener) {
        if (buffered == 0 || nanoClock.getAsLong() - oldestBuffered < config.idleFlush().toNanos()) {
            return false;
        }
        trainBuffered(listener);
        return true;
    }

    /** Trains on a partial batch now, whatever the idle time (before a snapshot at shutdown). */
    public boolean flush(TrainingListener listener) {
        if (buffered == 0) return false;
        trainBuffered(listener);
        return true;
    }

    private void trainBuffered(TrainingListener listener) {
        int n = buffered;
        Tensor x = Tensor.reuse(batchX, n, inputSize);
        long start = System.nanoTime();
        // predictions on other threads wait only while the weights change, not for the whole step
        StepStats stats = learner.rule().step(x, batchY, publish); // only the first n labels are read
        stats.seconds = (System.nanoTime() - start) / 1e9;
        lastLoss = stats.loss;
        buffered = 0;
        if (stats.skipped) {
            skippedSteps++;
        } else {
            examplesTrained += n; // the step was counted with the new weights, in publish
        }
        listener.onStep(stats, this);
        if (batchY.length != config.batchSize()) {
            allocateBatch(config.batchSize()); // the batch size was changed at run time
        } else {
            batchX = Tensor.reuse(batchX, config.batchSize(), inputSize); // back to a full batch's rows
        }
    }

    /**
     * Thread-safe inference for callers outside the training loop (the REST API): x (n, inputSize)
     * -> a copy of the log-probabilities, with the step they were made at.
     */
    public Inference predict(Tensor x) {
        Sequential reader = readers.get();
        weights.readLock().lock();
        try {
            return new Inference(reader.forward(x).copy(), step);
        } finally {
            weights.readLock().unlock();
        }
    }

    /**
     * Reads the model while no weight update or swap can change it (an export from another thread than the trainer's:
     * a predictor replica's models are swapped in by its follower).
     */
    public <T> T whole(Function<Checkpoint, T> read) {
        weights.readLock().lock();
        try {
            return read.apply(checkpoint());
        } finally {
            weights.readLock().unlock();
        }
    }

    /** Applies new hyper-parameters from the next step on. */
    public void reconfigure(TrainerConfig trainer, OptimizerConfig optimizer, Float dropout) {
        weights.writeLock().lock();
        try {
            if (optimizer != null) learner.rule().reconfigure(optimizer);
            if (dropout != null) learner.setDropout(dropout);
            if (trainer != null) {
                config = trainer;
                if (buffered == 0) allocateBatch(trainer.batchSize());
                // else: the partial batch is trained at the old size first, then the buffer is resized
            }
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** Takes another trainer's weights and optimizer state (the same architecture); the step and counts go on. */
    public void adopt(OnlineTrainer other) {
        learner.checkFits(other.learner());
        weights.writeLock().lock();
        try {
            learner.copyFrom(other.learner());
            weightsVersion++;
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** Changes the weights in place while no prediction reads them (a data-parallel shard's rebase); the step stays. */
    public void changeWeights(Consumer<List<Parameter>> change) {
        weights.writeLock().lock();
        try {
            change.accept(learner.network().parameters());
            weightsVersion++;
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** The optimizer starts afresh (velocities, moments, Adam's step count): a reaction to a drift. */
    public void resetOptimizer() {
        weights.writeLock().lock();
        try {
            for (Tensor t : learner.rule().state()) t.fill(0f);
            learner.rule().setStateSteps(0);
        } finally {
            weights.writeLock().unlock();
        }
    }

    /**
     * Copies a checkpoint's weights, optimizer state and step into the running learner, which must have
     * the same architecture. Call it on the trainer's thread; REST readers are excluded meanwhile.
     */
    public void load(Checkpoint from) {
        learner.checkFits(from.learner()); // before anything changes
        weights.writeLock().lock();
        try {
            learner.copyFrom(from.learner());
            step = from.step();
            weightsVersion++;
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** Continues a restored checkpoint: its step, its counts and its cumulative accuracy. */
    public void restore(Checkpoint from) {
        learner.checkFits(from.learner()); // before anything changes
        weights.writeLock().lock();
        try { // the counts with the weights: an export reading under the read lock gets one snapshot, never a mix
            learner.copyFrom(from.learner());
            step = from.step();
            weightsVersion++;
            examplesTrained = from.examplesTrained();
            examplesPredicted = from.examplesPredicted();
            accuracy.restore(from.prequentialSeen(), from.prequentialCorrect());
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** Everything needed to resume here; call it on the trainer's thread, between steps. */
    public Checkpoint checkpoint() {
        return new Checkpoint(learner, step, examplesTrained, examplesPredicted, accuracy.seen(), accuracy.correct(), config.batchSize());
    }

    public Learner learner() {
        return learner;
    }

    /** Training steps taken; continues across checkpoints. */
    public long step() {
        return step;
    }

    /** Changes of the weights in this process so far: what a publisher compares, since the step alone can stay. */
    public long weightsVersion() {
        return weightsVersion;
    }

    public TrainerConfig config() {
        return config;
    }

    public PrequentialAccuracy accuracy() {
        return accuracy;
    }

    public int buffered() {
        return buffered;
    }

    public long examplesTrained() {
        return examplesTrained;
    }

    public long examplesPredicted() {
        return examplesPredicted;
    }

    /** The loss of the last step; NaN before the first. */
    public float lastLoss() {
        return lastLoss;
    }

    public long skippedSteps() {
        return skippedSteps;
    }
}
