package io.mlpstream.learn;

/**
 * Watches a stream of numbers (here a model's 0/1 errors, test-then-train) for a rise of their mean, as
 * River's and MOA's change detectors do. One-sided: a falling error, a model still learning, is not a drift.
 */
public interface DriftDetector {

    /** Adds one value; true if a rise is detected with it. After a detection the detector starts afresh. */
    boolean update(double x);

    /** Forgets everything, as after a detection. */
    void reset();

    /** A detector that never detects: {@code mlp.drift.detector=none}. */
    DriftDetector NONE = new DriftDetector() {
        @Override
        public boolean update(double x) {
            return false;
        }

        @Override
        public void reset() {
        }
    };
}
