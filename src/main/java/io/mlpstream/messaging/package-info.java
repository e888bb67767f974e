/**
 * Kafka adapters only: the batch consumer, the positions of every input partition (published, and learned per
 * model), every model's part of a chunk and the order its outputs are sent in, the outputs and their
 * transactions with the input offsets, the checkpoints topic, topic setup, lag, and readiness. May import
 * {@code service} and below.
 */
package io.mlpstream.messaging;
