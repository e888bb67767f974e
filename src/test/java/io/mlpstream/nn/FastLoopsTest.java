package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
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
        FastLoops.bernoulliMask(2, p, scale, mask, n);
        int kept = 0, bothKept = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i] != 0f) {
                assertEquals(scale, mask[i], 0f);
                kept++;
                if (i > 0 && mask[i - 1] != 0f) bothKept++;
            }
        }
        // binomial(n, 0.7): the standard deviation is about 145; neighbours independent: both kept 0.49 of pairs
        assertEquals(0.7 * n, kept, 5 * Math.sqrt(n * 0.7 * 0.3));
        assertEquals(0.49 * (n - 1), bothKept, 5 * Math.sqrt(n * 0.49 * 0.51));
    }

    @Test
    void bernoulliMaskIsTheHashOfEachDrawsCounterAcrossBlocks() {
        int n = 10_000;
        long key = 0x0123_4567_89AB_CDEFL; // more than two blocks of the counter table
        float p = 0.5f;
        float[] mask = new float[n];
        FastLoops.bernoulliMask(key, p, 2f, mask, n);
        for (int i = 0; i < n; i++) {
            int h = (int) key + i * 0x9E3779B9;   // the plain form: MurmurHash3's fmix32 of the counter,
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            h ^= (int) (key >>> 32);              // then the key's high half, and fmix32 again
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            double uniform = (h >>> 8) / (double) (1 << 24);
            assertEquals(uniform >= p ? 2f : 0f, mask[i], 0f, "draw " + i);
        }
    }

    @Test
    void bernoulliMasksWhoseCountersOverlapAreUnrelated() {
        // the same low half: the same counters; only the high half differs
        float[] a = new float[1000], b = new float[1000];
        FastLoops.bernoulliMask(7L, 0.5f, 2f, a, a.length);
        FastLoops.bernoulliMask((1L << 32) | 7L, 0.5f, 2f, b, b.length);
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        assertEquals(500, same, 5 * Math.sqrt(1000 * 0.25));
    }

    @Test
    void bernoulliMasksOfDifferentKeysDiffer() {
        float[] a = new float[1000], b = new float[1000];
        FastLoops.bernoulliMask(1, 0.5f, 2f, a, a.length);
        FastLoops.bernoulliMask(2, 0.5f, 2f, b, b.length);
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        assertEquals(500, same, 5 * Math.sqrt(1000 * 0.25));
    }
}
