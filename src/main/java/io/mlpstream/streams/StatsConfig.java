package io.mlpstream.streams;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** The statistics' settings, under {@code mlp.stats.} (environment: MLP_STATS_...). */
@ConfigMapping(prefix = "mlp.stats")
public interface StatsConfig {

    /** Sizes of the tumbling windows of windowed accuracy; each gets its own state store. */
    @WithDefault("10s,1m")
    List<Duration> windows();

    /** How long the windows are kept (and queryable). */
    @WithDefault("1h")
    Duration windowRetention();

    /** How long prediction ids are remembered to drop replayed duplicates. */
    @WithDefault("1d")
    Duration dedupRetention();
}
