package io.mlpstream.service;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Labels that come after their images, under {@code mlp.labels.} (README, "Labels that come later"). */
public interface LabelsConfig {
    /** How long an unlabeled image waits for its label; then it expires (counted) and a later label is refused. */
    @WithDefault("1h")
    Duration maxDelay();

    /** How long a label waits for an image that has not arrived yet; then it goes to labels-dlq as unknown-id. */
    @WithDefault("1m")
    Duration maxEarly();

    /**
     * At most this many images wait (and as many early labels, and as many remembered outcomes); past it the
     * oldest expire, so that memory stays bounded whatever the traffic.
     */
    @WithDefault("100000")
    int maxPending();
}
