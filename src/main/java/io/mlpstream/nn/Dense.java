package io.mlpstream.nn;

import java.util.List;

/**
 * A fully connected layer, PyTorch's nn.Linear: y = x W^T + b, with W of shape (out, in).
 */
public final class Dense implements Module {
    public final Parameter weight; // (out, in)
    public final Parameter bias;   // (1, out)
    private final Kernels kernels;
    /** The first layer need not compute dLoss/dInput: nobody uses the gradient of the pixels. */
    private final boolean needsInputGrad;
    private Tensor input;
    private Tensor output;
    private Tensor gradInput;

    public Dense(int in, int out, boolean needsInputGrad, Kernels kernels) {
        this(new Parameter("weight", new Tensor(out, in)), new Parameter("bias", new Tensor(1, out)),
                needsInputGrad, kernels);
    }

    private Dense(Parameter weight, Parameter bias, boolean needsInputGrad, Kernels kernels) {
        this.weight = weight;
        this.bias = bias;
        this.needsInputGrad = needsInputGrad;
        this.kernels = kernels;
    }

    public Kernels kernels() {
        return kernels;
    }

    public int in() {
        return weight.value.cols();
    }

    public int out() {
        return weight.value.rows();
    }

    @Override
    public Tensor forward(Tensor x) {
        input = x;                                            // (B, in)
        output = Tensor.reuse(output, x.rows(), out());        // (B, out)
        kernels.mm(x, false, weight.value, true, 0f, output);  // x W^T
        float[] y = output.data(), b = bias.value.data();
        for (int i = 0, n = x.rows(), o = out(); i < n; i++) {
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
        for (int i = 0, n = gradOutput.rows(), o = out(); i < n; i++) {
            for (int j = 0; j < o; j++) {
                db[j] += dy[i * o + j];
            }
        }
        if (!needsInputGrad) {
            return null;
        }
        gradInput = Tensor.reuse(gradInput, gradOutput.rows(), in());
        kernels.mm(gradOutput, false, weight.value, false, 0f, gradInput);
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Module replica() {
        return new Dense(weight, bias, needsInputGrad, kernels);
    }

    @Override
    public String toString() {
        return "Dense(in=" + in() + ", out=" + out() + ")";
    }
}
