package io.mlpstream.nn;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inverted dropout, as PyTorch's nn.Dropout: in training each unit is kept with probability 1-p and
 * the kept ones are scaled by 1/(1-p), so the expected activation is unchanged and inference needs no
 * scaling at all. (The original, non-inverted form drops without scaling and multiplies by 1-p at
 * test time instead.)
 *
 * <p>Shape: input and output (B, features).
 */
public final class Dropout implements Module {
    private float p;
    private final long seed;
    private final SplittableRandom random;
    private final AtomicLong replicas = new AtomicLong();
    private boolean training = true;
    private Tensor mask;      // 0 or 1/(1-p), per element of the last batch
    private Tensor output;
    private Tensor gradInput;

    public Dropout(float p, long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        setP(p);
    }

    public float p() {
        return p;
    }

    /** Changing p between steps is allowed (a run-time hyper-parameter). */
    public void setP(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability has to be in [0, 1), but got " + p);
        }
        this.p = p;
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!training || p == 0f) {
            mask = null;
            return x;
        }
        float scale = 1f / (1f - p);
        mask = Tensor.reuse(mask, x.rows(), x.cols());
        output = Tensor.reuse(output, x.rows(), x.cols());
        float[] in = x.data(), m = mask.data(), out = output.data();
        FastLoops.bernoulliMask(random.nextLong(), p, scale, m, x.size()); // mask = bernoulli(1 - p) / (1 - p)
        for (int i = 0, n = x.size(); i < n; i++) {
            out[i] = in[i] * m[i];                                 // y = x * mask
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        if (mask == null) {
            return gradOutput;
        }
        gradInput = Tensor.reuse(gradInput, gradOutput.rows(), gradOutput.cols());
        float[] dy = gradOutput.data(), dx = gradInput.data(), m = mask.data();
        for (int i = 0, n = gradOutput.size(); i < n; i++) {
            dx[i] = dy[i] * m[i];
        }
        return gradInput;
    }

    /** The mask of the last training batch, or null at inference. */
    public Tensor mask() {
        return mask;
    }

    @Override
    public Module replica() {
        // a seed of its own, drawn without touching this module's generator: replicas are made on other
        // threads (the REST API's), and the training masks must not depend on when they were made
        Dropout d = new Dropout(p, seed ^ (0x9E3779B97F4A7C15L * replicas.incrementAndGet()));
        d.train(training);
        return d;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ", inplace=False)"; // as PyTorch prints it
    }
}
