package io.mlpstream.service;

import java.time.Duration;

/** When the next checkpoint is due: after this many steps, or this long, whichever comes first. */
public final class CheckpointSchedule {
    /** Data-parallel: a shard's weights are not the model, the averager's versions are. */
    public static final CheckpointSchedule NEVER = new CheckpointSchedule(Integer.MAX_VALUE, Duration.ofDays(365_000));

    private final int everySteps;
    private final Duration every;
    private volatile long lastStep = -1;
    private volatile long lastMillis;

    public CheckpointSchedule(int everySteps, Duration every) {
        this.everySteps = everySteps;
        this.every = every;
    }

    boolean due(long step) {
        return step - lastStep >= everySteps || System.currentTimeMillis() - lastMillis >= every.toMillis();
    }

    /** The next step is due (a swapped-in model must reach the store soon). */
    void expire() {
        lastMillis = 0;
    }

    /** A checkpoint of this step was attempted (or restored): the next one is due from here. */
    void written(long step) {
        lastStep = step;
        lastMillis = System.currentTimeMillis();
    }
}
