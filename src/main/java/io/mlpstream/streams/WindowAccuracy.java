package io.mlpstream.streams;

/** Correct and total labeled predictions in one time window. */
public record WindowAccuracy(long correct, long total) {

    public static final WindowAccuracy EMPTY = new WindowAccuracy(0, 0);

    /** Adds the outcomes of a matrix of sums. */
    public WindowAccuracy add(ConfusionMatrix sums) {
        return new WindowAccuracy(correct + sums.correct(), total + sums.total());
    }

    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
