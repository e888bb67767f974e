/**
 * Kafka adapters only: the batch consumer, the training bookkeeping of offsets and acks, the outputs,
 * the checkpoints topic, partitions and rebalances, topic setup, lag, and readiness. May import
 * {@code service} and below.
 */
package io.mlpstream.messaging;
