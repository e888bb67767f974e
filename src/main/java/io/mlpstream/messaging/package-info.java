/**
 * Kafka adapters only: the batch consumer, the positions of every input partition (learned, published),
 * the outputs and their transactions with the input offsets, the checkpoints topic, topic setup, lag,
 * and readiness. May import {@code service} and below.
 */
package io.mlpstream.messaging;
