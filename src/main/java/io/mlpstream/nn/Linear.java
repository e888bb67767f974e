package io.mlpstream.nn;

import java.util.List;

/**
 * Applies a linear transformation to the incoming data: y = x W^T + b, as PyTorch's nn.Linear.
 *
 * <p>Shape: input (B, in_features), output (B, out_features); weight (out_features, in_features),
 * bias (1, out_features).
 */
public final class Linear implements Module {
    public final Parameter weight; // (out, in)
    public final Parameter bias;   // (1, out)
    private final Kernels kernels;
    private boolean inputGrad = true;
    private Tensor output;
    private Tensor input;
    private Tensor gradInput;

    public Linear(int inFeatures, int outFeatures, Kernels kernels) {
        this(new Parameter("weight", new Tensor(outFeatures, inFeatures)),
                new Parameter("bias", new Tensor(1, outFeatures)), kernels);
    }

    private Linear(Parameter weight, Parameter bias, Kernels kernels) {
        this.weight = weight;
        this.bias = bias;
        this.kernels = kernels;
    }

    /** For the first layer: nobody uses the gradient of the pixels, so backward skips dx = dY W. */
    public Linear withoutInputGrad() {
        inputGrad = false;
        return this;
    }

    public int inFeatures() {
        return weight.value.cols();
    }

    public int outFeatures() {
        return weight.value.rows();
    }

    /** The output of the last forward pass (the pre-activations of the next layer). */
    public Tensor output() {
        return output;
    }

    @Override
    public Tensor forward(Tensor x) {
        input = x;                                                     // (B, in)
        output = Tensor.reuse(output, x.rows(), outFeatures());        // (B, out)
        kernels.mm(x, false, weight.value, true, 0f, output);          // x W^T
        float[] y = output.data(), b = bias.value.data();
        for (int i = 0, n = x.rows(), o = outFeatures(); i < n; i++) {
            for (int j = 0; j < o; j++) {
                y[i * o + j] += b[j];
            }
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        // dW = dY^T x  (out, in);  db = column sums of dY;  dx = dY W  (B, in)
        kernels.mm(gradOutput, true, input, false, 1f, weight.grad);
        float[] db = bias.grad.data(), dy = gradOutput.data();
        for (int i = 0, n = gradOutput.rows(), o = outFeatures(); i < n; i++) {
            for (int j = 0; j < o; j++) {
                db[j] += dy[i * o + j];
            }
        }
        if (!inputGrad) {
            return null;
        }
        gradInput = Tensor.reuse(gradInput, gradOutput.rows(), inFeatures());
        kernels.mm(gradOutput, false, weight.value, false, 0f, gradInput);
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Linear replica() {
        Linear copy = new Linear(weight, bias, kernels);
        copy.inputGrad = inputGrad;
        return copy;
    }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures() + ", out_features=" + outFeatures() + ", bias=True)";
    }
}
