/**
 * torch.nn for a multi-layer perceptron: {@link io.mlpstream.nn.Tensor}, the modules
 * ({@link io.mlpstream.nn.Linear}, the activations, {@link io.mlpstream.nn.Dropout},
 * {@link io.mlpstream.nn.LogSoftmax}), the {@link io.mlpstream.nn.Sequential} container, the
 * {@link io.mlpstream.nn.NllLoss} criterion, initialisation, the model config and its state dict codec,
 * and the kernels where speed lives ({@link io.mlpstream.nn.Kernels}, {@link io.mlpstream.nn.FastLoops}).
 *
 * <p>Plain Java that reads like the math. May import the JDK, Commons Math and the BLAS binding, and
 * nothing of this project outside {@code nn}.
 */
package io.mlpstream.nn;
