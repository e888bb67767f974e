package io.mlpstream.streams;

/** Correct and total labeled predictions in one time window. */
public record WindowAccuracy(long correct, long total) {

    public static final WindowAccuracy EMPTY = new WindowAccuracy(0, 0);

    public WindowAccuracy add(Outcome o) {
        return new WindowAccuracy(correct + (o.correct() ? 1 : 0), total + 1);
    }

    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
