/**
 * Online learning, as the textbook teaches it: the training step as one flat loop
 * ({@link io.mlpstream.learn.GradientStep}), the perceptron rule, the online trainer (fixed
 * mini-batches, test-then-train, idle flush), prequential evaluation, per-step statistics, and the
 * checkpoint (state dict + trainer counts) with its codec; data-parallel learning: a shard's local SGD
 * ({@link io.mlpstream.learn.Shard}: its update and its rebase) and the averaging of the shards' updates into
 * numbered versions ({@link io.mlpstream.learn.Averager}).
 *
 * <p>May import {@code nn}, {@code nn.optim} and the JDK: no framework, no adapter.
 */
package io.mlpstream.learn;
