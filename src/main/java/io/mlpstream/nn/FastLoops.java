package io.mlpstream.nn;

import java.util.SplittableRandom;

/**
 * The element-wise loops whose plain form measured slow, each behind the textbook line it
 * computes (the plain forms are in the tests, as the oracle). Everything else in {@code nn} is plain
 * loops that read like the math; the matrix product is in {@link Kernels}.
 */
public final class FastLoops {
    private FastLoops() {
    }

    /**
     * mask[i] = (uniform() >= p) ? scale : 0, for i < n.
     *
     * <p>A random keep/drop branch mispredicts half the time, so the comparison is done on bits: a
     * uniform 24-bit draw is kept when it is >= p * 2^24, and (threshold - 1 - draw) >>> 31 is 1 exactly
     * then. One nextLong gives two draws.
     */
    public static void bernoulliMask(SplittableRandom random, float p, float scale, float[] mask, int n) {
        int threshold = (int) (p * (1 << 24));
        for (int i = 0; i < n; i += 2) {
            long bits = random.nextLong();
            mask[i] = scale * ((threshold - 1 - (int) (bits >>> 40)) >>> 31);
            if (i + 1 < n) mask[i + 1] = scale * ((threshold - 1 - ((int) (bits >>> 8) & 0xFFFFFF)) >>> 31);
        }
    }

    /**
     * dx[i] = y[i] > 0 ? dy[i] : 0, for y >= 0 (a ReLU's output).
     *
     * <p>Written without a branch: the sign of y is a coin toss, and mispredicted branches made this loop
     * cost a third of the matrix products. The sign bit of -y is set exactly when y > 0.
     */
    public static void passWherePositive(float[] dy, float[] y, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            int fired = -Float.floatToRawIntBits(y[i]) >> 31; // all ones when y > 0, 0 when y == 0
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & fired);
        }
    }

    /**
     * y[i] = tanh(x[i]), for i < n.
     *
     * <p>Java 17's Math.tanh is not an intrinsic and made a tanh network train at 40% of a ReLU one's speed;
     * Math.exp is. tanh(x) = 1 - 2 / (e^2x + 1) holds for every x (e^2x overflows to infinity for large x,
     * giving 1; underflows to 0 for very negative x, giving -1), and in double its error is far below a
     * float's resolution.
     */
    public static void tanh(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) (1.0 - 2.0 / (Math.exp(2.0 * x[i]) + 1.0));
    }

    /**
     * sum of d[i]^2 for i < n, accumulated in double so that 200k squares keep their precision.
     *
     * <p>Four float sums per block of 1024 run in parallel (a single sum is one long dependency chain);
     * each block's total joins the double.
     */
    public static double sumOfSquares(float[] d, int n) {
        double s = 0;
        for (int start = 0; start < n; start += 1024) {
            int end = Math.min(n, start + 1024), i = start;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < end; i += 4) {
                s0 += d[i] * d[i];
                s1 += d[i + 1] * d[i + 1];
                s2 += d[i + 2] * d[i + 2];
                s3 += d[i + 3] * d[i + 3];
            }
            for (; i < end; i++) s0 += d[i] * d[i];
            s += (s0 + s1) + (s2 + s3);
        }
        return s;
    }
}
