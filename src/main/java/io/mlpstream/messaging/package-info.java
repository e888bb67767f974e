/**
 * Kafka adapters only: the batch consumer, the inputs in timestamp order, the positions of every input partition
 * (published, and learned per model), every model's part of a chunk and the order its outputs are sent in, the
 * outputs and their transactions with the input offsets, labels that come later (their changelog and matching),
 * the checkpoints topic, the models topic (published by the trainer, followed by a predictor replica), topic setup,
 * lag, and readiness. May import {@code service} and below.
 */
package io.mlpstream.messaging;
