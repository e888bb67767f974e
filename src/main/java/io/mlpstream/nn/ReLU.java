package io.mlpstream.nn;

/** max(0, x); its gradient is 1 where the unit fired and 0 elsewhere (0 at x = 0, as in PyTorch). */
public final class ReLU extends Elementwise {
    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.max(x[i], 0f);
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        FastLoops.passWherePositive(dy, y, dx, n); // dx = y > 0 ? dy : 0
    }

    @Override
    public Module replica() {
        return new ReLU();
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
