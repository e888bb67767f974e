package io.mlpstream.nn;

/**
 * Negative log-likelihood of the true class, averaged over the batch, as PyTorch's nn.NLLLoss.
 * Fed log-probabilities from {@link LogSoftmax}, it is the cross-entropy loss.
 */
public final class NllLoss {
    private Tensor gradInput;

    /** logProbs: (B, C); labels: B class indices. */
    public float forward(Tensor logProbs, int[] labels) {
        int rows = logProbs.rows(), cols = logProbs.cols();
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum -= logProbs.get(i * cols + checkLabel(labels[i], cols));
        }
        return (float) (sum / rows);
    }

    /** dLoss/dLogProbs: -1/B at each true class, 0 elsewhere. */
    public Tensor backward(Tensor logProbs, int[] labels) {
        int rows = logProbs.rows(), cols = logProbs.cols();
        gradInput = Tensor.reuse(gradInput, rows, cols);
        gradInput.fill(0f);
        for (int i = 0; i < rows; i++) {
            gradInput.set(i * cols + labels[i], -1f / rows);
        }
        return gradInput;
    }

    private static int checkLabel(int label, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
        }
        return label;
    }
}
