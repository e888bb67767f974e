package io.mlpstream.nn;

/**
 * The element-wise loops whose plain form measured slow, each behind the textbook line it
 * computes (the plain forms are in the tests, as the oracle). Everything else in {@code nn} is plain
 * loops that read like the math; the matrix product is in {@link Kernels}.
 */
public final class FastLoops {
    /** Draws per block of the counter table below; a mask of any size is done block by block. */
    private static final int BLOCK = 4096;
    /** WEYL[i] = i * golden ratio (2^32 / phi, odd): the counter of draw i, spread over all 32 bits. */
    private static final int[] WEYL = new int[BLOCK];
    /** A block's keep bits, per thread: models train on several threads at once. */
    private static final ThreadLocal<int[]> KEEP = ThreadLocal.withInitial(() -> new int[BLOCK]);

    static {
        for (int i = 0; i < BLOCK; i++) WEYL[i] = i * 0x9E3779B9;
    }

    private FastLoops() {
    }

    /**
     * mask[i] = (uniform(key, i) >= p) ? scale : 0, for i < n.
     *
     * <p>A counter-based generator, as the Philox generator behind PyTorch's dropout on a GPU: draw i is a hash
     * of its own counter, (int) key + i * golden, through MurmurHash3's finalizer (a bijection that mixes every
     * input bit into every output bit); the key's high half is mixed in and the finalizer applied again, so
     * that two masks whose counters overlap (there is one ring of 2^32 counters) are still unrelated. No draw
     * depends on the one before, so the JIT vectorizes the hashing (a sequential generator such as
     * SplittableRandom cannot be). A draw's top 24 bits are kept when they are >= p * 2^24, and (threshold - 1
     * - draw) >>> 31 is 1 exactly then: no branch to mispredict. Two loops, because Java 17's C2 vectorizes
     * neither a loop that computes with its own index (so the counters come from a table) nor an int-to-float
     * conversion (so that is a loop of its own): 0.46 ns a draw against 0.84 with SplittableRandom (0.19 on
     * Java 25).
     */
    public static void bernoulliMask(long key, float p, float scale, float[] mask, int n) {
        int threshold = (int) (p * (1 << 24)), high = (int) (key >>> 32);
        int[] keep = KEEP.get();
        for (int start = 0; start < n; start += BLOCK) {
            int base = (int) key + start * 0x9E3779B9, end = Math.min(BLOCK, n - start);
            for (int i = 0; i < end; i++) {
                int draw = fmix32(fmix32(base + WEYL[i]) ^ high);
                keep[i] = (threshold - 1 - (draw >>> 8)) >>> 31;
            }
            for (int i = 0; i < end; i++) mask[start + i] = scale * keep[i];
        }
    }

    /** MurmurHash3's 32-bit finalizer. */
    private static int fmix32(int h) {
        h = (h ^ (h >>> 16)) * 0x85EBCA6B;
        h = (h ^ (h >>> 13)) * 0xC2B2AE35;
        return h ^ (h >>> 16);
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
