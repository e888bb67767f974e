package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.nn.Kernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lab preset teaches what it claims, on the bundled stream, test-then-train as the service learns:
 * the MLP beats the perceptron, and the deep sigmoid network's first-layer gradient vanishes next to ReLU's.
 */
class LabPresetTest {
    private static final int STEPS = 1000;
    private static final Map<String, Run> RUNS = new LinkedHashMap<>();

    /** What one model did over the first STEPS steps. */
    record Run(double accuracy, List<Double> firstLayerGrad) {
    }

    @BeforeAll
    static void trainEveryModel() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        ModelSpec base = new ModelSpec("base", io.mlpstream.nn.ModelConfig.DEFAULT, io.mlpstream.nn.optim.OptimizerConfig.DEFAULT,
                io.mlpstream.learn.TrainerConfig.DEFAULT, Map.of());
        for (var e : LabPreset.KEYS.entrySet()) {
            ModelSpec spec = ModelSpec.parse(e.getKey(), e.getValue(), base);
            OnlineTrainer t = new OnlineTrainer(Learner.create(spec.model(), spec.optimizer(), Kernels.best()), spec.trainer());
            List<Double> grads = new ArrayList<>();
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
                }

                @Override
                public void onStep(StepStats stats, OnlineTrainer trainer) {
                    grads.add(stats.layers.get(0).weightGradNorm);
                }
            };
            Examples chunk = new Examples(100, images.size());
            // the gradients over 1,000 steps of 16 (16,000 examples: the bundled stream and most of it again); the
            // accuracy over the first pass only, where every example is new
            double firstPass = Double.NaN;
            for (int n = 0; t.step() < STEPS; n++) {
                int i = n % images.count();
                chunk.add(images.pixels(), i * images.size(), labels[i]);
                if (chunk.size() == 100) {
                    t.process(chunk, listener);
                    chunk.clear();
                }
                if (n + 1 == images.count()) firstPass = t.accuracy().cumulative();
            }
            RUNS.put(spec.name(), new Run(firstPass, grads));
            System.out.printf("lab preset: %-16s prequential accuracy %.3f (first pass)  first-layer weight-gradient norm over %d "
                    + "steps: median %.2e%n", spec.name(), firstPass, t.step(), median(grads));
        }
    }

    @Test
    void theMlpBeatsThePerceptronByThreePoints() {
        double relu = RUNS.get("relu").accuracy(), perceptron = RUNS.get("perceptron").accuracy();
        assertTrue(relu >= perceptron + 0.03, "relu " + relu + " against the perceptron's " + perceptron);
    }

    /** Step by step over the first 1,000 steps (a window of 50, so that one noisy batch does not decide it). */
    @Test
    void theDeepSigmoidNetworksFirstLayerGradientStaysTenTimesBelowRelus() {
        List<Double> sigmoid = RUNS.get("sigmoid-deep").firstLayerGrad(), relu = RUNS.get("relu").firstLayerGrad();
        assertTrue(sigmoid.size() >= STEPS && relu.size() >= STEPS, "both trained 1,000 steps");
        for (int from = 0; from + 50 <= STEPS; from += 50) {
            double s = median(sigmoid.subList(from, from + 50)), r = median(relu.subList(from, from + 50));
            assertTrue(s * 10 <= r, "steps " + from + ".." + (from + 50) + ": sigmoid-deep " + s + ", relu " + r);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
