package io.mlpstream.learn;

import io.mlpstream.nn.Mlp;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.OptimizerConfig;
import io.mlpstream.nn.Perceptron;
import io.mlpstream.nn.StepStats;
import io.mlpstream.nn.Tensor;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/**
 * Learns from a stream, test-then-train:
 * <ol>
 *   <li>each arriving chunk is predicted at once, in inference mode (dropout off), by a replica of the
 *       model, never by reusing the training pass;</li>
 *   <li>labeled examples are buffered, and each time the buffer holds {@code batchSize} of them the model
 *       takes one step on exactly those;</li>
 *   <li>a partial batch waits until the stream has been idle for {@code idleFlush}, like PyTorch's last
 *       smaller batch, so that ten images sent by hand are learned too.</li>
 * </ol>
 * One thread drives the trainer. {@link #predict} may be called from any thread at the same time: it
 * takes a read lock that excludes only the weight update.
 */
public final class OnlineTrainer {
    private final Model model;
    private final Model evaluator;
    private final PrequentialAccuracy accuracy;
    private final ReentrantReadWriteLock weights = new ReentrantReadWriteLock();
    private final ThreadLocal<Model> readers;
    private final LongSupplier nanoClock;
    private final int inputSize;
    private TrainerConfig config;
    private Tensor batchX;
    private int[] batchY;
    private int buffered;
    private long lastArrival;
    private long examplesTrained;
    private long examplesPredicted;
    private long skippedSteps;

    public OnlineTrainer(Model model, TrainerConfig config) {
        this(model, config, System::nanoTime);
    }

    public OnlineTrainer(Model model, TrainerConfig config, LongSupplier nanoClock) {
        this.model = model;
        this.evaluator = model.inferenceReplica();
        this.readers = ThreadLocal.withInitial(model::inferenceReplica);
        this.config = config;
        this.nanoClock = nanoClock;
        this.inputSize = model.config().inputSize();
        this.accuracy = new PrequentialAccuracy(model.config().classes(), config.window());
        allocateBatch(config.batchSize());
    }

    private void allocateBatch(int size) {
        batchX = new Tensor(size, inputSize);
        batchY = new int[size];
    }

    /** Predicts every example of the chunk, then trains on its labeled ones in full batches. */
    public void process(Examples chunk, TrainingListener listener) {
        if (chunk.size() == 0) return;
        lastArrival = nanoClock.getAsLong();
        Tensor logProbs = evaluator.forward(chunk.inputs());     // (n, classes), before any training on them
        long step = model.step();
        for (int i = 0; i < chunk.size(); i++) {
            int predicted = Model.argmax(logProbs, i);
            int label = chunk.label(i);
            float loss = Float.NaN;
            if (label != Examples.UNLABELED) {
                loss = -logProbs.get(i, label);
                accuracy.add(label, predicted);
            }
            examplesPredicted++;
            listener.onPrediction(i, predicted, logProbs, loss, step);
        }
        for (int i = 0; i < chunk.size(); i++) {
            if (chunk.isLabeled(i)) {
                chunk.copyRow(i, batchX, buffered);
                batchY[buffered++] = chunk.label(i);
                if (buffered == batchX.rows()) {
                    trainBuffered(listener);
                }
            }
        }
    }

    /** Trains on a partial batch once the stream has been idle long enough. Returns true if it did. */
    public boolean flushIfIdle(TrainingListener listener) {
        if (buffered == 0 || nanoClock.getAsLong() - lastArrival < config.idleFlush().toNanos()) {
            return false;
        }
        trainBuffered(listener);
        return true;
    }

    private void trainBuffered(TrainingListener listener) {
        int n = buffered;
        Tensor x = Tensor.reuse(batchX, n, inputSize);
        int[] y = batchY;
        StepStats stats;
        weights.writeLock().lock();
        try {
            stats = model.trainStep(x, y); // only the first n labels are read
        } finally {
            weights.writeLock().unlock();
        }
        buffered = 0;
        Tensor.reuse(batchX, config.batchSize(), inputSize);
        if (stats.skipped) {
            skippedSteps++;
        } else {
            examplesTrained += n;
        }
        listener.onStep(stats, this);
        if (batchX.rows() != config.batchSize()) {
            allocateBatch(config.batchSize());
        }
    }

    /**
     * Thread-safe inference for callers outside the training loop (the REST API): x (n, inputSize)
     * -> a copy of the log-probabilities (n, classes).
     */
    public Tensor predict(Tensor x) {
        Model reader = readers.get();
        weights.readLock().lock();
        try {
            return reader.forward(x).copy();
        } finally {
            weights.readLock().unlock();
        }
    }

    /** Applies new hyper-parameters from the next step on. */
    public void reconfigure(TrainerConfig trainer, OptimizerConfig optimizer, Float dropout) {
        weights.writeLock().lock();
        try {
            if (optimizer != null) {
                if (model.optimizer() != null) model.optimizer().reconfigure(optimizer);
                if (model instanceof Perceptron p) p.setLr(optimizer.lr());
            }
            if (dropout != null && model instanceof Mlp mlp) mlp.setDropout(dropout);
            if (trainer != null) {
                config = trainer;
                if (buffered == 0) allocateBatch(trainer.batchSize());
                // else: the partial batch is trained at the old size first, then the buffer is resized
            }
        } finally {
            weights.writeLock().unlock();
        }
    }

    /** Lets a restored model continue its counts. */
    public void restoreCounts(long trained, long predicted) {
        this.examplesTrained = trained;
        this.examplesPredicted = predicted;
    }

    public Model model() {
        return model;
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

    public long skippedSteps() {
        return skippedSteps;
    }

    /** Runs {@code action} with the weights still, e.g. to snapshot them. */
    public <T> T withWeightsLocked(java.util.function.Supplier<T> action) {
        weights.writeLock().lock();
        try {
            return action.get();
        } finally {
            weights.writeLock().unlock();
        }
    }
}
