package io.mlpstream.nn;

/** x for x > 0, slope * x otherwise: a small gradient survives where ReLU's would die. */
public final class LeakyReLU extends Elementwise {
    public final float slope;

    public LeakyReLU(float slope) {
        this.slope = slope;
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = x[i] > 0f ? dy[i] : slope * dy[i];
    }

    /** Units that were on the leaky side for the whole batch: alive, but barely. */
    @Override
    public double deadFraction() {
        return fractionOfColumnsAllNonPositive();
    }

    @Override
    public Module replica() {
        return new LeakyReLU(slope);
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + slope + ")";
    }
}
