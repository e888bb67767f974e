/**
 * Kafka adapters only: the batch consumer and the runner of the {@code pipeline}, the outputs (encoded and sent on
 * their own thread) and their transactions with the input offsets, the rebalance listener, the pending-labels
 * changelog, data-parallel mode's wiring (the averager's loop, the versions followed by each shard),
 * the checkpoints topic, the models topic (published by the trainer, followed by a predictor replica), topic setup,
 * lag, and readiness. May import {@code service} and below.
 */
package io.mlpstream.messaging;
