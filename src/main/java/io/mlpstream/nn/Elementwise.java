package io.mlpstream.nn;

/**
 * Common shape of the activations: y = f(x) element by element, and dx = dy * f'(x). Each subclass
 * writes both as whole-array loops, which the JIT compiles to SIMD code (a per-element virtual call
 * would not be).
 */
abstract class Elementwise implements Module {
    private Tensor input;
    private Tensor output;
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
}
