package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the textbook promises, on the bundled MNIST stream, in one pass. */
class LearningTest {
    private static IdxReader.Images images;
    private static byte[] labels;

    @BeforeAll
    static void load() throws IOException {
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
    }

    @Test
    void theMlpClearlyBeatsThePerceptron() {
        double mlp = prequential(ModelConfig.DEFAULT, OptimizerConfig.DEFAULT, TrainerConfig.DEFAULT.batchSize(), 10_000);
        ModelConfig p = new ModelConfig(ModelType.PERCEPTRON, 784, List.of(), 10, Activation.RELU, 0f, 0f, null, 1);
        double perceptron = prequential(p, OptimizerConfig.sgd(1f), TrainerConfig.DEFAULT.batchSize(), 10_000);
        System.out.printf("prequential accuracy: default MLP %.4f, perceptron %.4f%n", mlp, perceptron);
        assertTrue(mlp >= 0.88, "the defaults must reach 0.88 in one pass, got " + mlp);
        assertTrue(mlp > perceptron + 0.04, "MLP " + mlp + " vs perceptron " + perceptron);
        assertTrue(perceptron > 0.5, "the perceptron learns too: " + perceptron);
    }

    @Test
    void aDeepSigmoidNetworksFirstLayerGradientVanishesNextToRelus() {
        List<Integer> deep = List.of(128, 128, 128, 128, 128);
        double sigmoid = meanFirstLayerGradNorm(Activation.SIGMOID, deep);
        double relu = meanFirstLayerGradNorm(Activation.RELU, deep);
        System.out.printf("first-layer weight gradient norm: sigmoid %.2e, relu %.2e%n", sigmoid, relu);
        assertTrue(sigmoid * 10 < relu, "sigmoid " + sigmoid + " should be far below relu " + relu);
    }

    private static double meanFirstLayerGradNorm(Activation activation, List<Integer> hidden) {
        ModelConfig c = new ModelConfig(ModelType.MLP, 784, hidden, 10, activation, 0.01f, 0f, null, 5);
        Learner m = Learner.create(c, OptimizerConfig.sgd(0.01f), Kernels.best());
        OnlineTrainer t = new OnlineTrainer(m, new TrainerConfig(32, Duration.ZERO, 100));
        double[] sum = new double[1];
        int[] steps = new int[1];
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(StepStats stats, OnlineTrainer trainer) {
                sum[0] += stats.layers.get(0).weightGradNorm;
                steps[0]++;
            }
        };
        feed(t, 640, 32, l);
        return sum[0] / steps[0];
    }

    private static double prequential(ModelConfig c, OptimizerConfig opt, int batchSize, int n) {
        OnlineTrainer t = new OnlineTrainer(Learner.create(c, opt, Kernels.best()), new TrainerConfig(batchSize, Duration.ZERO, 1000));
        feed(t, n, batchSize, TrainingListener.NONE);
        return t.accuracy().cumulative();
    }

    private static void feed(OnlineTrainer t, int n, int chunk, TrainingListener l) {
        Examples e = new Examples(chunk, 784);
        for (int first = 0; first < n; first += chunk) {
            e.clear();
            for (int i = first; i < Math.min(n, first + chunk); i++) e.add(images.pixels(), i * 784, labels[i]);
            t.process(e, l);
        }
    }
}
