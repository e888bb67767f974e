package io.mlpstream.service;

/** When the newest model snapshot was written (or restored), and at which step. */
public final class CheckpointStatus {
    private volatile long step = -1;
    private volatile long epochMillis;

    public void record(long step, long epochMillis) {
        this.step = step;
        this.epochMillis = epochMillis;
    }

    /** -1 before the first snapshot. */
    public long step() {
        return step;
    }

    public long epochMillis() {
        return epochMillis;
    }
}
