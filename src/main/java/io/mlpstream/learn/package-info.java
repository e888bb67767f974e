/**
 * Online learning, as the textbook teaches it: the training step as one flat loop
 * ({@link io.mlpstream.learn.GradientStep}), the perceptron rule, the online trainer (fixed
 * mini-batches, test-then-train, idle flush), prequential evaluation, per-step statistics, and the
 * checkpoint (state dict + trainer counts) with its codec.
 *
 * <p>May import {@code nn}, {@code nn.optim} and the JDK: no framework, no adapter.
 */
package io.mlpstream.learn;
