package io.mlpstream.nn;

import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * A classifier that learns by mini-batches: the MLP, or the perceptron baseline.
 * An instance is confined to one thread; {@link #inferenceReplica()} gives another, in eval mode,
 * that shares the weights.
 */
public interface Model {

    ModelConfig config();

    /** x: (B, inputSize) -> log-probabilities (B, classes), in the current mode. Reused by the next call. */
    Tensor forward(Tensor x);

    /** One step on a mini-batch: forward in training mode, backward, update. Returns reused stats. */
    StepStats trainStep(Tensor x, int[] labels);

    /**
     * The same step, holding {@code update} while the weights change, so that other threads reading the
     * weights under the matching read lock never see a half-updated model. This default holds it for
     * the whole step; a model whose forward and backward only read the weights holds it for the update.
     */
    default StepStats trainStep(Tensor x, int[] labels, Lock update) {
        update.lock();
        try {
            return trainStep(x, labels);
        } finally {
            update.unlock();
        }
    }

    /** Dense layers' weights and biases, in a fixed order. */
    List<Parameter> parameters();

    /** Null for the perceptron, which has its own rule. */
    Optimizer optimizer();

    /** Training steps taken; continues across snapshots. */
    long step();

    void setStep(long step);

    Model inferenceReplica();

    /** Index of the largest entry of row r. */
    static int argmax(Tensor t, int r) {
        int cols = t.cols(), best = 0;
        float max = t.get(r * cols);
        for (int j = 1; j < cols; j++) {
            float v = t.get(r * cols + j);
            if (v > max) {
                max = v;
                best = j;
            }
        }
        return best;
    }
}
