package io.mlpstream.nn;

/** A learnable tensor and the gradient of the loss with respect to it, as torch.nn.Parameter. */
public final class Parameter {
    public final String name;
    public final Tensor value;
    public final Tensor grad;

    public Parameter(String name, Tensor value) {
        this.name = name;
        this.value = value;
        this.grad = new Tensor(value.rows(), value.cols());
    }

    @Override
    public String toString() {
        return "Parameter(" + name + ", " + value.shape() + ")";
    }
}
