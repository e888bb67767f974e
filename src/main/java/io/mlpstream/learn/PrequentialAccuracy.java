package io.mlpstream.learn;

import java.util.List;

/**
 * Test-then-train evaluation, the standard of online learning (MOA, River): every labeled example is
 * scored by the model before the model learns from it. Keeps the cumulative accuracy and, over a
 * sliding window, the accuracy and Cohen's kappa (agreement beyond what chance would give).
 */
public final class PrequentialAccuracy {
    private final int classes;
    private final int[] windowLabels;
    private final int[] windowPredictions;
    private final long[] labelCounts;
    private final long[] predictionCounts;
    private int windowFill;
    private int next;
    private long windowCorrect;
    private long seen;
    private long correct;

    public PrequentialAccuracy(int classes, int window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.classes = classes;
        this.windowLabels = new int[window];
        this.windowPredictions = new int[window];
        this.labelCounts = new long[classes];
        this.predictionCounts = new long[classes];
    }

    public synchronized void add(int label, int predicted) {
        seen++;
        if (label == predicted) correct++;
        if (windowFill == windowLabels.length) {
            int oldLabel = windowLabels[next], oldPrediction = windowPredictions[next];
            labelCounts[oldLabel]--;
            predictionCounts[oldPrediction]--;
            if (oldLabel == oldPrediction) windowCorrect--;
        } else {
            windowFill++;
        }
        windowLabels[next] = label;
        windowPredictions[next] = predicted;
        labelCounts[label]++;
        predictionCounts[predicted]++;
        if (label == predicted) windowCorrect++;
        next = (next + 1) % windowLabels.length;
    }

    /** Continues the cumulative counts of a restored model; the sliding window starts empty. */
    public synchronized void restore(long seen, long correct) {
        if (correct < 0 || correct > seen) {
            throw new IllegalArgumentException("correct must be in 0.." + seen + ", got " + correct);
        }
        this.seen = seen;
        this.correct = correct;
    }

    public synchronized long seen() {
        return seen;
    }

    public synchronized long correct() {
        return correct;
    }

    /** Since the start; 0 before the first labeled example. */
    public synchronized double cumulative() {
        return seen == 0 ? 0 : (double) correct / seen;
    }

    /** Over the last {@code window} labeled examples; NaN while the window is empty (after a restart): nothing to compare. */
    public synchronized double window() {
        return windowFill == 0 ? Double.NaN : (double) windowCorrect / windowFill;
    }

    /** Cohen's kappa over the window: (p_o - p_e) / (1 - p_e). */
    public synchronized double kappa() {
        if (windowFill == 0) return 0;
        double n = windowFill;
        double po = windowCorrect / n;
        double pe = 0;
        for (int c = 0; c < classes; c++) {
            pe += (labelCounts[c] / n) * (predictionCounts[c] / n);
        }
        return pe >= 1 ? 0 : (po - pe) / (1 - pe);
    }

    /** Several shards' accuracy since the start as one: their counts summed (0 before the first labeled example). */
    public static double cumulative(List<PrequentialAccuracy> shards) {
        return pooled(shards, false, 0);
    }

    /** Several shards' windows as one: their last {@code window} examples each, pooled (NaN while all are empty). */
    public static double window(List<PrequentialAccuracy> shards) {
        return pooled(shards, true, Double.NaN);
    }

    private static double pooled(List<PrequentialAccuracy> shards, boolean window, double none) {
        long n = 0, correct = 0;
        for (PrequentialAccuracy a : shards) {
            synchronized (a) {
                n += window ? a.windowFill : a.seen;
                correct += window ? a.windowCorrect : a.correct;
            }
        }
        return n == 0 ? none : (double) correct / n;
    }
}
