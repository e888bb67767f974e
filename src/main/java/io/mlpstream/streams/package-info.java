/**
 * The Kafka Streams statistics over the predictions topic: the topology (a plain static build, tested
 * in a TopologyTestDriver), its aggregates and serdes, and the interactive queries. May import
 * {@code events} only, of this project.
 */
package io.mlpstream.streams;
