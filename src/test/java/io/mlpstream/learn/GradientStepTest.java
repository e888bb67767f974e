package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientStepTest {
    private static final ModelConfig SMALL = ModelConfig.DEFAULT.withInputSize(4).withHidden(List.of(3)).withClasses(2)
            .withDropout(0f).withSeed(1);

    @Test
    void aStepWithANonFiniteLossIsSkippedAndTheWeightsStayFinite() {
        Learner learner = Learner.create(SMALL, OptimizerConfig.sgd(0.1f), Kernels.best());
        float[] before = learner.network().parameters().get(0).value.toArray();
        StepStats stats = learner.rule().step(Tensor.of(1, 4, 1f, Float.NaN, 0f, 2f), new int[] {1}, WeightUpdate.DIRECT);
        assertTrue(stats.skipped, "a NaN loss is skipped");
        assertArrayEquals(before, learner.network().parameters().get(0).value.toArray());
        assertTrue(learner.network().parameters().get(0).value.isFinite());
        assertTrue(!learner.rule().step(Tensor.of(1, 4, 1f, 0f, 0f, 2f), new int[] {1}, WeightUpdate.DIRECT).skipped, "a finite step is taken");
    }

    @Test
    void aSkippedStepDoesNotMoveTheStepCount() {
        Learner learner = Learner.create(SMALL, OptimizerConfig.sgd(0.1f), Kernels.best());
        // the first step sees a NaN pixel (a byte image cannot carry one, so the rule is handed one)
        LearningRule nanFirst = new ForwardingRule(learner.rule()) {
            boolean first = true;

            @Override
            public StepStats step(Tensor x, int[] labels, WeightUpdate update) {
                if (first) x.set(1, Float.NaN);
                first = false;
                return super.step(x, labels, update);
            }
        };
        OnlineTrainer t = new OnlineTrainer(new Learner(SMALL, learner.network(), nanFirst), TrainerConfig.DEFAULT.withBatchSize(1));
        Examples one = new Examples(1, 4);
        one.add(new byte[] {10, 20, 30, 40}, 0, 1);
        t.process(one, TrainingListener.NONE);
        assertEquals(0, t.step(), "the step count does not move");
        assertEquals(1, t.skippedSteps());
        assertEquals(0, t.examplesTrained());
        t.process(one, TrainingListener.NONE);
        assertEquals(1, t.step());
    }

    @Test
    void aUnitIsDeadWhenNoExampleOfTheBatchMadeItPositive() {
        Learner learner = Learner.create(SMALL, OptimizerConfig.sgd(0.1f), Kernels.best());
        float[] w = learner.network().parameters().get(0).value.data(), b = learner.network().parameters().get(1).value.data();
        java.util.Arrays.fill(w, 0f);
        b[0] = 1f;  // unit 0: always positive
        b[1] = -1f; // unit 1: never
        b[2] = 0f;
        w[2 * 4] = 1f; // unit 2 = x0: positive for the second example only
        StepStats stats = learner.rule().step(Tensor.of(2, 4, -1f, 0f, 0f, 0f, 2f, 0f, 0f, 0f), new int[] {0, 1}, WeightUpdate.DIRECT);
        assertEquals(1.0 / 3, stats.layers.get(0).deadFraction, 1e-12);
    }

    @Test
    void theWeightsNormIsMeasuredEverySixteenSteps() {
        Learner learner = Learner.create(SMALL, OptimizerConfig.sgd(0.5f), Kernels.best());
        Tensor x = Tensor.of(1, 4, 1f, 0.5f, 0.25f, 2f);
        double before = learner.network().parameters().get(0).value.norm();
        double first = learner.rule().step(x, new int[] {1}, WeightUpdate.DIRECT).layers.get(0).weightNorm;
        assertEquals(before, first, 1e-3, "measured at the first step, before its update");
        for (int step = 1; step < GradientStep.UPDATE_RATIO_EVERY; step++) {
            assertEquals(first, learner.rule().step(x, new int[] {1}, WeightUpdate.DIRECT).layers.get(0).weightNorm, 0.0);
        }
        double now = learner.network().parameters().get(0).value.norm();
        assertTrue(Math.abs(now - first) > 1e-3, "the weights moved");
        assertEquals(now, learner.rule().step(x, new int[] {1}, WeightUpdate.DIRECT).layers.get(0).weightNorm, 1e-3);
    }

    /** Passes everything to another rule. */
    private static class ForwardingRule implements LearningRule {
        private final LearningRule to;

        ForwardingRule(LearningRule to) {
            this.to = to;
        }

        @Override
        public StepStats step(Tensor x, int[] labels, WeightUpdate update) {
            return to.step(x, labels, update);
        }

        @Override
        public OptimizerConfig config() {
            return to.config();
        }

        @Override
        public void reconfigure(OptimizerConfig config) {
            to.reconfigure(config);
        }

        @Override
        public String name() {
            return to.name();
        }

        @Override
        public List<Tensor> state() {
            return to.state();
        }

        @Override
        public long stateSteps() {
            return to.stateSteps();
        }

        @Override
        public void setStateSteps(long steps) {
            to.setStateSteps(steps);
        }
    }
}
