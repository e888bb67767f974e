package io.mlpstream.nn;

/** max(0, x); its gradient is 1 where the unit fired and 0 elsewhere (0 at x = 0, as in PyTorch). */
public final class ReLU extends Elementwise {
    @Override
    void forward(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.max(x[i], 0f);
    }

    @Override
    void backward(float[] dy, float[] x, float[] y, float[] dx, int n) {
        // dx = dy where y > 0, else 0. Written without a branch: the sign of y is a coin toss, and
        // mispredicted branches made this loop cost a third of the matrix products.
        for (int i = 0; i < n; i++) {
            int fired = -Float.floatToRawIntBits(y[i]) >> 31; // all ones when y > 0, 0 when y == 0
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & fired);
        }
    }

    @Override
    public double deadFraction() {
        return fractionOfColumnsAllNonPositive();
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
