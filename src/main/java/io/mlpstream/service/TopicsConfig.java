package io.mlpstream.service;

import io.smallrye.config.WithDefault;

/**
 * The topics' names, under {@code mlp.topics.}, and the partitions of those the service creates. The service
 * consumes images, labels and late-examples in one consumer group (SmallRye's channel {@code images}).
 */
public interface TopicsConfig {
    /** Image events in, key = image id (optional). */
    @WithDefault("images")
    String images();

    /** Labels that come after their image, {"id", "label"}, key = image id. */
    @WithDefault("labels")
    String labels();

    /** Label records that could not be used, with the reason in headers. */
    @WithDefault("labels-dlq")
    String labelsDlq();

    /**
     * An image whose label came later, with every model's prediction made on its arrival: the models learn from
     * it and the statistics score it, each exactly once, because it is a record of its own. By default named after the
     * consumer group (application.properties), as Kafka Streams names its internal topics.
     */
    @WithDefault("mlp-stream-late-examples")
    String lateExamples();

    /**
     * The changelog of images waiting for their labels and labels waiting for their images (compacted, key = image
     * id), so that they survive a restart; written in the same transactions as the outputs. Named after the group too.
     */
    @WithDefault("mlp-stream-pending-labels")
    String pendingLabels();

    /**
     * Every model's weights, published by the trainer at least every mlp.publish.every when it changed (key = model
     * name), and a heartbeat when it did not (key = model name + ":heartbeat"): what predictor replicas follow.
     */
    @WithDefault("models")
    String models();

    /**
     * Data-parallel mode: each shard's update (its weights minus its base version, and its example count), key = model
     * name, one partition, so that one averager reads them all in order.
     */
    @WithDefault("model-updates")
    String modelUpdates();

    /** One prediction per image, key = image id. */
    @WithDefault("predictions")
    String predictions();

    /** Every model's prediction of each image, when several models run, key = image id. */
    @WithDefault("model-predictions")
    String modelPredictions();

    /** Serving switches (and drift), key = model name. */
    @WithDefault("training-events")
    String trainingEvents();

    /** One record per training step (or every N), key = model name. */
    @WithDefault("training-metrics")
    String trainingMetrics();

    /** Image records that could not be used, with the reason in headers. */
    @WithDefault("images-dlq")
    String imagesDlq();

    /** Partitions of the topics the service creates when they are missing. */
    @WithDefault("1")
    int partitions();

    @WithDefault("1")
    short replicationFactor();
}
