package io.mlpstream.messaging;

import java.time.Duration;

/**
 * A labeled record is acknowledged once it is trained on, and it waits at most the idle flush for its
 * batch to fill. SmallRye's throttled commit strategy closes the consumer for good when a record waits
 * longer than {@code throttled.unprocessed-record-max-age.ms} (default 60 s) for its ack, so the idle
 * flush must stay well below that age: half of it leaves room for the step and the sends.
 */
final class AckBudget {
    static final String MAX_AGE_KEY = "mp.messaging.incoming.images.throttled.unprocessed-record-max-age.ms";

    private AckBudget() {
    }

    /** Throws, naming both settings, when the idle flush could let a record outlive the max age. */
    static void check(Duration idleFlush, long maxAgeMillis) {
        if (maxAgeMillis > 0 && idleFlush.toMillis() * 2 > maxAgeMillis) {
            throw new IllegalStateException("mlp.training.idle-flush (" + idleFlush.toMillis() + " ms) must be at most half of "
                    + MAX_AGE_KEY + " (" + maxAgeMillis + " ms): a labeled record waits up to the idle flush for its ack, "
                    + "and SmallRye stops the consumer when one waits longer than the max age. Lower the idle flush or "
                    + "raise the max age (0 disables the check).");
        }
    }
}
