package io.mlpstream.nn;

import java.util.List;

/**
 * A layer of the network, in the torch.nn sense: forward computes the output for a mini-batch and
 * remembers what backward needs; backward takes dLoss/dOutput and returns dLoss/dInput, accumulating
 * the gradients of its parameters on the way.
 *
 * <p>A module owns its output buffers and so is not reentrant: one module instance per thread.
 * {@link #replica()} gives another instance that shares the parameters.
 */
public interface Module {

    /** x: (B, in) -> (B, out). The returned tensor is reused by the next call. */
    Tensor forward(Tensor x);

    /** gradOutput: (B, out) -> (B, in). */
    Tensor backward(Tensor gradOutput);

    default List<Parameter> parameters() {
        return List.of();
    }

    /** train() / eval() in PyTorch; only dropout cares. */
    default void train(boolean training) {
    }

    /** A new instance with its own buffers that shares this module's parameters. */
    Module replica();
}
