package io.mlpstream.nn;

/**
 * log softmax over each row: y_j = x_j - log sum_k e^{x_k}. Subtracting the row maximum first keeps
 * e^x finite for any logits, which is why log-softmax + NLL is preferred to softmax + log.
 */
public final class LogSoftmax implements Module {
    private Tensor output;
    private Tensor gradInput;

    @Override
    public Tensor forward(Tensor x) {
        int rows = x.rows(), cols = x.cols();
        output = Tensor.reuse(output, rows, cols);
        for (int i = 0; i < rows; i++) {
            int o = i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, x.get(o + j));
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(x.get(o + j) - max);
            float logSumExp = max + (float) Math.log(sum);
            for (int j = 0; j < cols; j++) output.set(o + j, x.get(o + j) - logSumExp);
        }
        return output;
    }

    /** dx_j = dy_j - softmax_j * sum_k dy_k, with softmax = e^y. */
    @Override
    public Tensor backward(Tensor gradOutput) {
        int rows = gradOutput.rows(), cols = gradOutput.cols();
        gradInput = Tensor.reuse(gradInput, rows, cols);
        for (int i = 0; i < rows; i++) {
            int o = i * cols;
            float sum = 0;
            for (int j = 0; j < cols; j++) sum += gradOutput.get(o + j);
            for (int j = 0; j < cols; j++) {
                float g = gradOutput.get(o + j) - (float) Math.exp(output.get(o + j)) * sum;
                // a confident model's other classes have softmax below 2^-126: as subnormal floats, every product of
                // them in the layers' backward GEMMs would take a microcode assist on x86 (see optim.Subnormals)
                gradInput.set(o + j, Math.abs(g) < Float.MIN_NORMAL ? 0f : g);
            }
        }
        return gradInput;
    }

    @Override
    public Module replica() {
        return new LogSoftmax();
    }

    @Override
    public String toString() {
        return "LogSoftmax(dim=1)";
    }
}
