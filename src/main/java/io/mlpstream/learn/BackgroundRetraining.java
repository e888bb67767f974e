package io.mlpstream.learn;

import java.util.function.Supplier;

/**
 * {@code mlp.drift.reaction=background}, as River's DriftRetrainingClassifier: at a warning a fresh copy of the
 * model starts learning beside it, from the same examples; after the drift it replaces the old one's weights once
 * it predicts better than the old one over the last {@link #COMPARED} labeled examples both saw. A copy that has
 * not caught up after {@link #GIVE_UP} examples past the drift is dropped: the old model adapted as well.
 */
public final class BackgroundRetraining {
    static final int COMPARED = 200;
    static final int GIVE_UP = 3000;

    private final Supplier<OnlineTrainer> fresh;
    private OnlineTrainer copy;
    private boolean aligned;
    private boolean drifted;
    private int sinceDrift;
    private final Window old = new Window(), young = new Window();

    /** The last COMPARED outcomes, right or wrong, and how many were right. */
    private static final class Window {
        final boolean[] right = new boolean[COMPARED];
        int n;
        int sum;

        void add(boolean r) {
            int i = n++ % COMPARED;
            if (n > COMPARED && right[i]) sum--;
            right[i] = r;
            if (r) sum++;
        }
    }

    /** The copy's outcomes: loss = -log p(label) is the predicted class's own exactly when the prediction is right. */
    private final TrainingListener youngScore = new TrainingListener() {
        @Override
        public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            if (!Float.isNaN(loss) && aligned) young.add(-loss == logProbs[predicted]);
        }
    };

    public BackgroundRetraining(Supplier<OnlineTrainer> fresh) {
        this.fresh = fresh;
    }

    public void warning() {
        if (copy == null) start();
    }

    public void drift() {
        if (copy == null) start();
        drifted = true;
    }

    private void start() {
        copy = fresh.get();
        aligned = false;
        drifted = false;
        sinceDrift = 0;
        old.n = old.sum = young.n = young.sum = 0;
    }

    /** The old model's outcome on a labeled example (counted once the copy sees the same examples). */
    public void oldScored(boolean right) {
        if (copy == null || !aligned) return;
        old.add(right);
        if (drifted) sinceDrift++;
    }

    /**
     * After the old model: the copy learns the same chunk; returns the copy to adopt, or null. The chunk in which
     * the copy started is not scored (the old model's part of it came before the warning): from the next one on,
     * both are scored on the same examples.
     */
    public OnlineTrainer learn(Examples chunk) {
        if (copy == null) return null;
        copy.process(chunk, youngScore);
        if (!aligned) {
            aligned = true;
            return null;
        }
        if (!drifted || Math.min(old.n, young.n) < COMPARED) return null;
        if (young.sum > old.sum) {
            OnlineTrainer ready = copy;
            copy = null;
            return ready;
        }
        if (sinceDrift > GIVE_UP) copy = null;
        return null;
    }
}
