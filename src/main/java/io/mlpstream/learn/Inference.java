package io.mlpstream.learn;

import io.mlpstream.nn.Tensor;

/** What {@link OnlineTrainer#predict} gives: log-probabilities (n, classes), and the step of the weights that gave them. */
public record Inference(Tensor logProbs, long modelStep) {
}
