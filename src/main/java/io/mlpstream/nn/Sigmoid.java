package io.mlpstream.nn;

/** sigma(x) = 1 / (1 + e^-x); sigma' = y (1 - y), at most 1/4: the root of vanishing gradients. */
public final class Sigmoid extends Elementwise {
    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
    }

    @Override
    public Module replica() {
        return new Sigmoid();
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
