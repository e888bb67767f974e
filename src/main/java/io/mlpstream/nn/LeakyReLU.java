package io.mlpstream.nn;

/** x for x > 0, negative_slope * x otherwise: a small gradient survives where ReLU's would die. */
public final class LeakyReLU extends Elementwise {
    public final float negativeSlope;

    public LeakyReLU(float negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] > 0f ? x[i] : negativeSlope * x[i];
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = x[i] > 0f ? dy[i] : negativeSlope * dy[i];
    }

    @Override
    public Module replica() {
        return new LeakyReLU(negativeSlope);
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
