package io.mlpstream.learn;

import java.util.function.Supplier;

/**
 * One model's watch on its own error stream: a drift detector, and the same detector with a looser threshold
 * for warnings (as River's DriftRetrainingClassifier takes a warning detector beside the drift one). Fed each
 * labeled example's 0/1 error, test-then-train.
 */
public final class DriftWatch {
    /** What one example told. */
    public enum Signal { NONE, WARNING, DRIFT }

    private final DriftDetector drift;
    private final DriftDetector warning;

    /** The drift detector, then the warning one (the same kind, with a looser threshold). */
    public DriftWatch(DriftDetector drift, DriftDetector warning) {
        this.drift = drift;
        this.warning = warning;
    }

    public static DriftWatch none() {
        return new DriftWatch(DriftDetector.NONE, DriftDetector.NONE);
    }

    public static DriftWatch of(Supplier<DriftDetector> drift, Supplier<DriftDetector> warning) {
        return new DriftWatch(drift.get(), warning.get());
    }

    /** A drift resets both detectors: the warning that preceded it is over. */
    public Signal add(boolean wrong) {
        double x = wrong ? 1 : 0;
        boolean warned = warning.update(x);
        if (drift.update(x)) {
            warning.reset();
            return Signal.DRIFT;
        }
        return warned ? Signal.WARNING : Signal.NONE;
    }
}
