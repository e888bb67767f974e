package io.mlpstream.streams;

/**
 * Per-class precision, recall and support (labeled count), derived from a confusion matrix.
 * A class never predicted (or never seen) has a NaN precision (or recall), written as null in JSON.
 */
public record ClassMetrics(double[] precision, double[] recall, long[] support, long total) {

    public static ClassMetrics of(ConfusionMatrix m) {
        int n = m.classes();
        double[] precision = new double[n];
        double[] recall = new double[n];
        long[] support = new long[n];
        for (int c = 0; c < n; c++) {
            precision[c] = m.precision(c);
            recall[c] = m.recall(c);
            support[c] = m.support(c);
        }
        return new ClassMetrics(precision, recall, support, m.total());
    }
}
