package io.mlpstream.service;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The online trainer, under {@code mlp.training.}; unset keys come from {@code TrainerConfig.DEFAULT}. */
public interface TrainingConfig {
    Optional<Integer> batchSize();

    /** A partial batch is trained once no example has arrived for this long. */
    Optional<Duration> idleFlush();

    /** Examples in the sliding window of windowed accuracy and kappa. */
    Optional<Integer> window();

    /** Publish a training-metrics record every N steps. */
    @WithDefault("1")
    int metricsEvery();

    /**
     * single: one trainer per model set (a second instance is fenced). data-parallel: every instance of the
     * consumer group trains its partitions as a shard of one model, and one averager folds the shards' updates
     * into numbered versions (README, "Many trainers, one model").
     */
    @WithDefault("single")
    Mode mode();

    /**
     * Data-parallel: shards per instance, each a copy of every model learning the partitions dealt to it on a core of
     * its own; 1 leaves the other cores to the consumer, the outputs and the statistics. They share the instance's
     * transaction: one sync sends all their updates.
     */
    @WithDefault("1")
    int shards();

    /** Data-parallel: how often a shard sends its update and commits (a transaction covers one update). */
    @WithDefault("1s")
    Duration syncEvery();

    /**
     * Data-parallel: a shard that has sent more than this many updates without seeing a newer version (each would make
     * one) takes no more input until it does, so that a stopped or slow averager cannot let shards drift apart
     * unboundedly (bounded staleness, as parameter servers' SSP). 0: every update waits for its version.
     */
    @WithDefault("4")
    int maxStaleness();

    /**
     * Data-parallel: this instance's id, part of its transactional id; stable across restarts, so that a restarted
     * shard aborts its predecessor's open transaction at once. Unset: kept in {@code <data dir>/instance-id}.
     */
    Optional<String> instanceId();

    /** True in data-parallel mode. */
    default boolean dataParallel() {
        return mode() == Mode.DATA_PARALLEL;
    }

    enum Mode {
        SINGLE, DATA_PARALLEL
    }
}
