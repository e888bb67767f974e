/**
 * The stream loop, plain Java: {@code Pipeline.runOnce} takes polled records in timestamp order ({@code InputOrder}),
 * decoded on the decode stage, lets every model predict then learn them ({@code ModelTasks}, one {@code ModelTask} per
 * model, Kafka Streams' StreamTask role), publishes the outputs in input order through {@code Outputs}, matches labels
 * that come later ({@code LateLabels}, {@code LabelRecords}) and commits when due; {@code Pipeline.punctuate} does the
 * time-driven work. {@code Positions} says of every record whether to publish it and which models learn it. No CDI,
 * no Quarkus, no Kafka client: the {@code messaging} package runs it ({@code PipelineRunner}) and writes its outputs
 * ({@code KafkaOutputs}). May import {@code service} and below.
 */
package io.mlpstream.pipeline;
