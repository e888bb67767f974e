package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OnlineTrainerTest {
    private final ModelConfig config = new ModelConfig(ModelType.MLP, 784, List.of(32), 10, Activation.RELU, 0.01f, 0.2f, null, 1);
    private final AtomicLong clock = new AtomicLong();
    private final Random random = new Random(3);

    private OnlineTrainer trainer(int batchSize) {
        return new OnlineTrainer(Learner.create(config, OptimizerConfig.adam(1e-3f), Kernels.best()),
                new TrainerConfig(batchSize, Duration.ofSeconds(1), 1000), clock::get);
    }

    /** A drift's reaction "reset": Adam's moments and step count start afresh; the weights are kept. */
    @Test
    void resetOptimizerZeroesTheOptimizersStateAndKeepsTheWeights() {
        OnlineTrainer t = trainer(16);
        t.process(examples(64, true), TrainingListener.NONE);
        assertTrue(t.learner().rule().stateSteps() > 0);
        assertTrue(t.learner().rule().state().stream().anyMatch(s -> s.norm() > 0), "Adam has moments after four steps");
        float[] weights = t.learner().network().parameters().get(0).value.toArray();
        t.resetOptimizer();
        assertEquals(0, t.learner().rule().stateSteps());
        assertTrue(t.learner().rule().state().stream().allMatch(s -> s.norm() == 0), "every moment is zero");
        assertArrayEquals(weights, t.learner().network().parameters().get(0).value.toArray(), "the weights are kept");
        assertEquals(4, t.step(), "and the step count");
    }

    @Test
    void fixedBatchesThenThePartialOneAfterTheStreamGoesIdle() {
        OnlineTrainer t = trainer(32);
        Recorder r = new Recorder();
        // 100 examples, arriving in uneven chunks: chunks are never batches
        int[] chunks = {7, 50, 1, 30, 12};
        for (int size : chunks) t.process(examples(size, true), r);
        assertEquals(List.of(32, 32, 32), r.steps);
        assertEquals(100, r.predictions);
        assertEquals(4, t.buffered());

        clock.addAndGet(Duration.ofMillis(999).toNanos());
        assertFalse(t.flushIfIdle(r), "not idle long enough yet");
        clock.addAndGet(Duration.ofMillis(2).toNanos());
        assertTrue(t.flushIfIdle(r));
        assertEquals(List.of(32, 32, 32, 4), r.steps);
        assertEquals(100, t.examplesTrained());
        assertFalse(t.flushIfIdle(r), "nothing left to flush");
    }

    @Test
    void aPartialBatchIsTrainedOnceItsOldestExampleHasWaitedWhateverElseArrives() {
        OnlineTrainer t = trainer(32);
        Recorder r = new Recorder();
        t.process(examples(1, true), r);
        // unlabeled traffic keeps coming, every 300 ms: it must not hold the labeled example back
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(Duration.ofMillis(300).toNanos());
            t.process(examples(2, false), r);
            assertFalse(t.flushIfIdle(r), "the labeled example has waited only " + 300 * (i + 1) + " ms");
        }
        clock.addAndGet(Duration.ofMillis(101).toNanos());
        t.process(examples(2, false), r);
        assertTrue(t.flushIfIdle(r), "1,001 ms after the labeled example arrived, its partial batch is trained");
        assertEquals(List.of(1), r.steps);
        assertEquals(1, t.examplesTrained());
    }

    @Test
    void unlabeledExamplesArePredictedButNeverTrainedOn() {
        OnlineTrainer t = trainer(4);
        Recorder r = new Recorder();
        t.process(examples(10, false), r);
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        t.flushIfIdle(r);
        assertEquals(10, r.predictions);
        assertEquals(List.of(), r.steps);
        assertEquals(0, t.examplesTrained());
        assertEquals(0, t.step());
        assertEquals(0, t.accuracy().seen());
    }

    @Test
    void eachExampleIsPredictedBeforeTheModelTrainsOnIt() {
        OnlineTrainer t = trainer(4);
        List<Long> stepsAtPrediction = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
                stepsAtPrediction.add(modelStep);
            }
        };
        t.process(examples(10, true), l);
        // a chunk of 10 at batch 4: four predicted at step 0, a step, four at step 1, a step, two at step 2
        assertEquals(List.of(0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L, 2L, 2L), stepsAtPrediction);
        assertEquals(2, t.step());
        t.process(examples(1, true), l);
        assertEquals(2L, stepsAtPrediction.get(10), "the partial batch is not trained yet");
    }

    @Test
    void inferenceIsSafeWhileTrainingRunsInAnotherThread() throws Exception {
        OnlineTrainer t = trainer(8);
        Examples probe = examples(3, false);
        Tensor x = probe.inputs().copy();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < 2000; i++) {
                    Tensor out = t.predict(x).logProbs();
                    for (int r = 0; r < out.rows(); r++) {
                        double sum = 0;
                        for (int c = 0; c < out.cols(); c++) sum += Math.exp(out.get(r, c));
                        assertEquals(1.0, sum, 1e-3, "probabilities of a consistent model sum to 1");
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        reader.start();
        for (int i = 0; i < 200; i++) t.process(examples(8, true), TrainingListener.NONE);
        reader.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals(200, t.step());
    }

    @Test
    void aCheckpointWhoseOptimizerStateDoesNotFitIsRefusedBeforeAnythingIsCopied() {
        OnlineTrainer adam = trainer(4);
        adam.process(examples(8, true), TrainingListener.NONE);
        float[] before = adam.learner().network().parameters().get(0).value.toArray();
        Learner sgd = Learner.create(config.withSeed(99), OptimizerConfig.sgd(0.1f), Kernels.best());
        var e = assertThrows(IllegalArgumentException.class, () -> adam.load(Checkpoint.of(sgd, 7)));
        assertTrue(e.getMessage().contains("optimizer"), e.getMessage());
        assertArrayEquals(before, adam.learner().network().parameters().get(0).value.toArray(), "the weights are untouched");
        assertEquals(2, adam.step());
    }

    private Examples examples(int n, boolean labeled) {
        Examples e = new Examples(4, 784);
        byte[] pixels = new byte[784];
        for (int i = 0; i < n; i++) {
            random.nextBytes(pixels);
            e.add(pixels, 0, labeled ? random.nextInt(10) : Examples.UNLABELED);
        }
        return e;
    }

    private static final class Recorder implements TrainingListener {
        final List<Integer> steps = new ArrayList<>();
        int predictions;

        @Override
        public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            predictions++;
        }

        @Override
        public void onStep(StepStats stats, OnlineTrainer trainer) {
            steps.add(stats.batchSize);
        }
    }
}
