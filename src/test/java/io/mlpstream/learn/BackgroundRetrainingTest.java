package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The background reaction against alert on the default model, in memory: 4,000 digits, then their pixels inverted
 * (or their labels permuted) from example 4,000 on. Measured: how many examples after the change the window accuracy
 * (500 examples) is back above a level, with the copy swapped in (background) and without (alert).
 */
class BackgroundRetrainingTest {
    private static IdxReader.Images images;
    private static byte[] labels;

    @BeforeAll
    static void load() throws Exception {
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
    }

    private static OnlineTrainer fresh() {
        return new OnlineTrainer(Learner.create(ModelConfig.DEFAULT, OptimizerConfig.DEFAULT, Kernels.best()),
                TrainerConfig.DEFAULT.withWindow(500));
    }

    /** Examples after the change until the window accuracy is back above {@code level} (-1: not within 4,000); and swaps. */
    private static int[] recovery(boolean background, boolean invert, double level) {
        OnlineTrainer t = fresh();
        DriftWatch watch = DriftWatch.of(() -> new Adwin(0.002), () -> new Adwin(0.05));
        BackgroundRetraining retraining = background ? new BackgroundRetraining(BackgroundRetrainingTest::fresh) : null;
        Examples chunk = new Examples(100, images.size());
        byte[] pixels = new byte[images.size()];
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
                boolean wrong = predicted != chunk.label(index);
                if (retraining != null) retraining.oldScored(!wrong);
                DriftWatch.Signal s = watch.add(wrong);
                if (retraining != null && s == DriftWatch.Signal.WARNING) retraining.warning();
                if (retraining != null && s == DriftWatch.Signal.DRIFT) retraining.drift();
            }
        };
        Random random = new Random(5);
        int recovered = -1, swaps = 0;
        for (int n = 0; n < 8000 && recovered < 0; n++) {
            int i = random.nextInt(images.count());
            System.arraycopy(images.pixels(), i * images.size(), pixels, 0, images.size());
            boolean changed = n >= 4000;
            if (changed && invert) for (int k = 0; k < pixels.length; k++) pixels[k] = (byte) (255 - (pixels[k] & 0xFF));
            int label = labels[i] & 0xFF;
            chunk.add(pixels, 0, changed && !invert ? (label + 1) % 10 : label);
            if (chunk.size() == 100) {
                t.process(chunk, listener);
                OnlineTrainer better = retraining == null ? null : retraining.learn(chunk);
                if (better != null) {
                    t.adopt(better);
                    swaps++;
                }
                chunk.clear();
                // a full window after the change, above 0.8
                if (n >= 4500 && t.accuracy().window() > level) recovered = n + 1 - 4000;
            }
        }
        return new int[] {recovered, swaps};
    }

    /** Permuted labels: the copy, learning the new labels from scratch, is back above 0.8 within 3,000 examples. */
    @Test
    void afterPermutedLabelsTheCopyIsBackAbove80PercentWithin3000() {
        int[] alert = recovery(false, false, 0.8), background = recovery(true, false, 0.8);
        System.out.printf("drift reaction, permuted labels: window accuracy back above 0.8 after %d examples with alert, "
                + "%d with background (%d swap)%n", alert[0], background[0], background[1]);
        assertTrue(background[1] == 1, "the copy was swapped in once");
        assertTrue(background[0] > 0 && background[0] <= 3000, "background recovered within 3,000: " + background[0]);
    }

    /**
     * Inverted pixels are harder for this MLP (neither reaction is back above 0.8 within 4,000 examples): the copy
     * reaches 0.7 sooner than the old model adapting under alert.
     */
    @Test
    void afterInvertedPixelsTheCopyRecoversFasterThanAlert() {
        int[] alert = recovery(false, true, 0.7), background = recovery(true, true, 0.7);
        System.out.printf("drift reaction, inverted pixels: window accuracy back above 0.7 after %d examples with alert, "
                + "%d with background (%d swap)%n", alert[0], background[0], background[1]);
        assertTrue(background[1] == 1, "the copy was swapped in once");
        assertTrue(background[0] > 0 && (alert[0] < 0 || background[0] < alert[0]),
                "faster than alert: " + background[0] + " against " + alert[0]);
    }
}
