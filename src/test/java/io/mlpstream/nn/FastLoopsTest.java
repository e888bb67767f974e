package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each trick in FastLoops computes its textbook line, written here plainly as the oracle. */
class FastLoopsTest {
    private final Random random = new Random(1);

    @Test
    void passWherePositiveIsDyWhereYIsPositiveElseZero() {
        int n = 1001;
        float[] y = new float[n], dy = new float[n], dx = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(0f, (float) random.nextGaussian()); // a ReLU's output: >= 0, often exactly 0
            dy[i] = (float) random.nextGaussian();
        }
        FastLoops.passWherePositive(dy, y, dx, n);
        for (int i = 0; i < n; i++) {
            assertEquals(y[i] > 0 ? dy[i] : 0f, dx[i], 0f, "element " + i);
        }
    }

    @Test
    void tanhIsMathTanhToAFloatsResolution() {
        int n = 100_001;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * 4);
        x[0] = 0f;
        x[1] = 1e-30f;
        x[2] = 100f;
        x[3] = -100f;
        x[4] = Float.MAX_VALUE;
        x[5] = -Float.MAX_VALUE;
        FastLoops.tanh(x, y, n);
        for (int i = 0; i < n; i++) {
            assertEquals((float) Math.tanh(x[i]), y[i], 1.2e-7f, "tanh(" + x[i] + ")");
        }
    }

    @Test
    void sumOfSquaresIsTheSumOfSquares() {
        int n = 200_003;
        float[] d = new float[n];
        double plain = 0;
        for (int i = 0; i < n; i++) {
            d[i] = (float) random.nextGaussian();
            plain += (double) d[i] * d[i];
        }
        assertEquals(plain, FastLoops.sumOfSquares(d, n), plain * 1e-6);
    }

    @Test
    void bernoulliMaskKeepsOneMinusPAndScalesByItsInverse() {
        int n = 100_001;
        float p = 0.3f, scale = 1f / (1f - p);
        float[] mask = new float[n];
        FastLoops.bernoulliMask(new SplittableRandom(2), p, scale, mask, n);
        int kept = 0;
        for (float m : mask) {
            if (m != 0f) {
                assertEquals(scale, m, 0f);
                kept++;
            }
        }
        // binomial(n, 0.7): the standard deviation is about 145
        assertEquals(0.7 * n, kept, 5 * Math.sqrt(n * 0.7 * 0.3));
    }
}
