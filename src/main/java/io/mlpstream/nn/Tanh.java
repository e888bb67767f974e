package io.mlpstream.nn;

/** tanh(x); tanh' = 1 - y^2. */
public final class Tanh extends Elementwise {
    @Override
    void forward(float[] x, float[] y, int n) {
        FastLoops.tanh(x, y, n); // y[i] = tanh(x[i])
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
    }

    @Override
    public Module replica() {
        return new Tanh();
    }

    @Override
    public String toString() {
        return "Tanh()";
    }
}
