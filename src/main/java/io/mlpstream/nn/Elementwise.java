package io.mlpstream.nn;

/**
 * Common shape of the activations: y = f(x) element by element, and dx = dy * f'(x). Each subclass
 * writes both as whole-array loops, which the JIT compiles to SIMD code (a per-element virtual call
 * would not be).
 */
abstract class Elementwise implements Module {
    protected Tensor input;
    protected Tensor output;
    private Tensor gradInput;

    @Override
    public final Tensor forward(Tensor x) {
        input = x;
        output = Tensor.reuse(output, x.rows(), x.cols());
        forward(x.data(), output.data(), x.size());
        return output;
    }

    @Override
    public final Tensor backward(Tensor gradOutput) {
        gradInput = Tensor.reuse(gradInput, gradOutput.rows(), gradOutput.cols());
        backward(gradOutput.data(), input.data(), output.data(), gradInput.data(), gradOutput.size());
        return gradInput;
    }

    /** y[i] = f(x[i]) for i < n. */
    abstract void forward(float[] x, float[] y, int n);

    /** dx[i] = dy[i] * f'(x[i]) for i < n, given x and y = f(x). */
    abstract void backward(float[] dy, float[] x, float[] y, float[] dx, int n);

    /**
     * The fraction of units that gave no gradient for any example of the last batch: a ReLU unit whose
     * input was negative for all of them is "dead". Zero for activations that never cut the gradient.
     */
    public double deadFraction() {
        return 0;
    }

    protected final double fractionOfColumnsAllNonPositive() {
        int rows = input.rows(), cols = input.cols(), dead = 0;
        float[] x = input.data();
        for (int j = 0; j < cols; j++) {
            boolean alive = false;
            for (int i = 0; i < rows && !alive; i++) {
                alive = x[i * cols + j] > 0f;
            }
            if (!alive) dead++;
        }
        return (double) dead / cols;
    }
}
