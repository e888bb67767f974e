/**
 * The Kafka Streams statistics over the predictions topic: the topology (a plain static build, tested
 * in a TopologyTestDriver), its aggregates and serdes, the interactive queries, and the care of its
 * local state (owned by one cluster, a dead thread replaced). May import
 * {@code events} only, of this project.
 */
package io.mlpstream.streams;
