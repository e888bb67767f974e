/**
 * The embedded single-node Kafka broker (KRaft), started when no Kafka is configured; as a plaintext broker, or as a
 * managed cluster would listen (SASL_SSL: its TLS material and its SCRAM user). Nothing else.
 */
package io.mlpstream.broker;
