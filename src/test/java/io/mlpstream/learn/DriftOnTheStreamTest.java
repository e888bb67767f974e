package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detectors on the default model's real error stream, test-then-train over the bundled digits: no alarm while
 * it learns an unchanging stream (read twice, in two shuffled orders), and a detection soon after a change (labels
 * permuted, label -> label + 1 mod 10; or pixels inverted) at example 4,000. Prints the delays and alarms (README).
 */
class DriftOnTheStreamTest {
    private static IdxReader.Images images;
    private static byte[] labels;

    @BeforeAll
    static void load() throws Exception {
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
    }

    /** The scored examples at which the watch said drift, over a stream of {@code order}, changed from {@code change} on. */
    private static List<Integer> drifts(Supplier<DriftWatch> watches, int[] order, int change, boolean permute, boolean invert) {
        OnlineTrainer t = new OnlineTrainer(Learner.create(ModelConfig.DEFAULT, OptimizerConfig.DEFAULT, Kernels.best()), TrainerConfig.DEFAULT);
        DriftWatch watch = watches.get();
        List<Integer> at = new ArrayList<>();
        Examples chunk = new Examples(100, images.size());
        byte[] pixels = new byte[images.size()];
        int[] scored = {0};
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
                if (watch.add(predicted != chunk.label(index)) == DriftWatch.Signal.DRIFT) at.add(scored[0]);
                scored[0]++;
            }
        };
        for (int n = 0; n < order.length; n++) {
            int i = order[n];
            boolean changed = n >= change;
            System.arraycopy(images.pixels(), i * images.size(), pixels, 0, images.size());
            if (changed && invert) for (int k = 0; k < pixels.length; k++) pixels[k] = (byte) (255 - (pixels[k] & 0xFF));
            int label = labels[i] & 0xFF;
            chunk.add(pixels, 0, changed && permute ? (label + 1) % 10 : label);
            if (chunk.size() == 100) {
                t.process(chunk, listener);
                chunk.clear();
            }
        }
        return at;
    }

    private static int[] shuffled(long seed, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i % images.count();
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        return order;
    }

    private static void check(String name, Supplier<DriftWatch> watch) {
        for (long seed : new long[] {1, 2}) {
            List<Integer> alarms = drifts(watch, shuffled(seed, 2 * images.count()), Integer.MAX_VALUE, false, false);
            System.out.printf("drift: %s, the bundled stream twice (order %d): %d false alarms in %d examples%n", name, seed,
                    alarms.size(), 2 * images.count());
            assertEquals(List.of(), alarms, name + ": no drift while the stream does not change");
        }
        for (String change : List.of("permuted labels", "inverted pixels")) {
            List<Integer> at = drifts(watch, shuffled(3, 6000), 4000, change.startsWith("permuted"), change.startsWith("inverted"));
            System.out.printf("drift: %s, %s at 4,000: detected at %s%n", name, change, at);
            assertTrue(!at.isEmpty() && at.get(0) >= 4000, name + ", " + change + ": nothing before the change, something after: " + at);
            assertTrue(at.get(0) < 5000, name + ", " + change + ": within 1,000 examples: " + at);
        }
    }

    @Test
    void adwinOnTheStream() {
        check("adwin", () -> DriftWatch.of(() -> new Adwin(0.002), () -> new Adwin(0.05)));
    }

    @Test
    void pageHinkleyOnTheStream() {
        check("page-hinkley", () -> DriftWatch.of(() -> PageHinkley.withDefaults(50), () -> PageHinkley.withDefaults(25)));
    }
}
