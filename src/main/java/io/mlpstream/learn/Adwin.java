package io.mlpstream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * ADWIN, adaptive windowing (Bifet and Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing",
 * SDM 2007): a window of recent values is kept as an exponential histogram (ADWIN2: at most {@code M} buckets of
 * each size 1, 2, 4, ...), and every {@code clock} values each split of it into an older part W0 and a newer part
 * W1 is tested. Where the two means differ by more than the Hoeffding-style bound
 *
 * <pre>
 *   eps = sqrt(2 m v ln(2 ln(n) / delta)) + 2/3 m ln(2 ln(n) / delta),   m = 1/(n0 - min + 1) + 1/(n1 - min + 1)
 * </pre>
 * (v the window's variance, n its length), the window drops its oldest bucket and is tested again, whichever way
 * the mean moved, so that it holds only the current regime (a learning model's early errors leave it). Only a
 * rise is reported, as MOA's ADWINChangeDetector does: a falling error, a model still learning, is not a drift.
 * Smaller {@code delta}, fewer false alarms and later detections.
 */
public final class Adwin implements DriftDetector {
    private static final int M = 5;
    private static final int MIN_WINDOW = 5;
    private static final int CLOCK = 32;
    private static final int GRACE = 30;

    /** A bucket: n values, their total, and their sum of squared deviations from their mean. */
    private record Bucket(long n, double total, double m2) {
        double mean() {
            return total / n;
        }

        Bucket merge(Bucket newer) {
            double d = mean() - newer.mean();
            return new Bucket(n + newer.n, total + newer.total, m2 + newer.m2 + d * d * n * newer.n / (n + newer.n));
        }
    }

    private final double delta;
    /** Oldest first: sizes never grow towards the newest end. */
    private final List<Bucket> buckets = new ArrayList<>();
    private long width;
    private double total;
    private double m2;
    private long ticks;

    public Adwin(double delta) {
        if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("ADWIN's delta must be in (0, 1), got " + delta);
        this.delta = delta;
    }

    @Override
    public boolean update(double x) {
        if (width > 0) {
            double d = x - total / width;
            m2 += d * d * width / (width + 1);
        }
        width++;
        total += x;
        buckets.add(new Bucket(1, x, 0));
        compress();
        if (++ticks % CLOCK != 0 || width < GRACE) return false;
        while (true) {
            int cut = cut();
            if (cut == 0) return false;
            if (cut > 0) {
                reset(); // a detector that kept its window would flag the same drift again and again (River #574, MOA #135)
                return true;
            }
            dropOldest(); // the mean fell: the older part is another regime, forgotten without a word
        }
    }

    /** The oldest bucket leaves the window, with its share of the total and of the sum of squared deviations. */
    private void dropOldest() {
        Bucket old = buckets.remove(0);
        long rest = width - old.n();
        double restMean = (total - old.total()) / rest;
        double d = old.mean() - restMean;
        m2 -= old.m2() + d * d * old.n() * rest / width;
        m2 = Math.max(0, m2); // rounding must not make a variance negative
        width = rest;
        total -= old.total();
    }

    /** More than M buckets of one size: the two oldest of that size become one of twice the size. */
    private void compress() {
        int end = buckets.size();
        while (true) {
            long size = buckets.get(end - 1).n();
            int first = end - 1;
            while (first > 0 && buckets.get(first - 1).n() == size) first--;
            if (end - first <= M) return;
            buckets.set(first, buckets.get(first).merge(buckets.get(first + 1)));
            buckets.remove(first + 1);
            end = first + 1; // the merged bucket may now make its own size too many
        }
    }

    /** +1 if some split has a newer mean above the older by more than the bound, -1 if below, 0 if none. */
    private int cut() {
        double variance = m2 / width;
        double dd = Math.log(2 * Math.log(width) / delta);
        long n0 = 0;
        double u0 = 0;
        for (int i = 0; i < buckets.size() - 1; i++) {
            n0 += buckets.get(i).n();
            u0 += buckets.get(i).total();
            long n1 = width - n0;
            if (n0 < MIN_WINDOW || n1 < MIN_WINDOW) continue;
            double m = 1.0 / (n0 - MIN_WINDOW + 1) + 1.0 / (n1 - MIN_WINDOW + 1);
            double eps = Math.sqrt(2 * m * variance * dd) + 2.0 / 3.0 * dd * m;
            double rise = (total - u0) / n1 - u0 / n0;
            if (Math.abs(rise) > eps) return rise > 0 ? 1 : -1;
        }
        return 0;
    }

    @Override
    public void reset() {
        buckets.clear();
        width = 0;
        total = 0;
        m2 = 0;
    }

    /** Values in the window. */
    public long width() {
        return width;
    }

    /** Buckets that hold them: O(M log width). */
    int buckets() {
        return buckets.size();
    }
}
