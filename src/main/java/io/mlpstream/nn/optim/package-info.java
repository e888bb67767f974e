/**
 * torch.optim: {@link io.mlpstream.nn.optim.Sgd} (with momentum and Nesterov),
 * {@link io.mlpstream.nn.optim.Adam}, their config, and clipping by global gradient norm. May import
 * {@code nn} and the JDK only.
 */
package io.mlpstream.nn.optim;
