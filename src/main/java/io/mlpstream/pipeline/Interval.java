package io.mlpstream.pipeline;

/**
 * A piece of time-driven work's period, as Kafka Streams' punctuation schedules: due once {@code millis} have passed
 * since it last ran, by whatever clock {@link Pipeline#punctuate} is given.
 */
final class Interval {
    private final long nanos;
    private long last;

    Interval(long millis, long now) {
        this.nanos = millis * 1_000_000L;
        this.last = now;
    }

    /** True (and the period starts again) when it has passed since the last time it was due. */
    boolean due(long now) {
        if (now - last < nanos) return false;
        last = now;
        return true;
    }
}
