package io.mlpstream.pipeline;

import org.apache.kafka.common.TopicPartition;

/**
 * One record as the consumer polled it (the parts of Kafka's ConsumerRecord that the pipeline reads): from an images
 * partition or a labels partition, its offset, the time the broker stored with it, and its key and value.
 */
public record Polled(TopicPartition partition, long offset, long timestamp, String key, byte[] value) {
}
