/** The embedded single-node Kafka broker (KRaft), started when no Kafka is configured; nothing else. */
package io.mlpstream.broker;
