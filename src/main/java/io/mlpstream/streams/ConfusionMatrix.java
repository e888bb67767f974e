package io.mlpstream.streams;

import java.util.Arrays;

/**
 * Counts of (true label, predicted label) pairs: {@code counts[label][predicted]}. The diagonal is
 * what the model got right. It grows when a label beyond its size shows up.
 */
public record ConfusionMatrix(long[][] counts) {

    public static ConfusionMatrix empty(int classes) {
        return new ConfusionMatrix(new long[classes][classes]);
    }

    public int classes() {
        return counts.length;
    }

    /** Counts one outcome; returns this matrix, or a larger copy when the outcome does not fit. */
    public ConfusionMatrix add(int label, int predicted) {
        int needed = Math.max(label, predicted) + 1;
        ConfusionMatrix m = needed <= classes() ? this : resized(needed);
        m.counts[label][predicted]++;
        return m;
    }

    /** Adds another matrix's counts; returns this matrix, or a larger copy when the other is larger. */
    public ConfusionMatrix plus(ConfusionMatrix other) {
        ConfusionMatrix m = other.classes() <= classes() ? this : resized(other.classes());
        for (int label = 0; label < other.classes(); label++) {
            for (int predicted = 0; predicted < other.classes(); predicted++) m.counts[label][predicted] += other.counts[label][predicted];
        }
        return m;
    }

    /** The diagonal: how many predictions were right. */
    public long correct() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) correct += counts[c][c];
        return correct;
    }

    public long total() {
        long total = 0;
        for (long[] row : counts) for (long c : row) total += c;
        return total;
    }

    /** Of the images predicted as c, the fraction that were c; NaN before any was predicted as c. */
    public double precision(int c) {
        long predictedAsC = 0;
        for (long[] row : counts) predictedAsC += row[c];
        return (double) counts[c][c] / predictedAsC;
    }

    /** Of the images labeled c, the fraction predicted as c; NaN before any was labeled c. */
    public double recall(int c) {
        return (double) counts[c][c] / Arrays.stream(counts[c]).sum();
    }

    /** How many images were labeled c. */
    public long support(int c) {
        return Arrays.stream(counts[c]).sum();
    }

    private ConfusionMatrix resized(int classes) {
        long[][] larger = new long[classes][classes];
        for (int i = 0; i < counts.length; i++) System.arraycopy(counts[i], 0, larger[i], 0, counts[i].length);
        return new ConfusionMatrix(larger);
    }
}
