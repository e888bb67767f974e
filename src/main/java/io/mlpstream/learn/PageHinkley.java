package io.mlpstream.learn;

/**
 * The Page-Hinkley test for a rise of the mean (Page, "Continuous Inspection Schemes", Biometrika 1954), as River
 * and MOA write it: the cumulative deviation of each value from the running mean, less a tolerance {@code delta},
 *
 * <pre>
 *   m_t = alpha m_{t-1} + (x_t - mean_t - delta),   M_t = min over s &lt;= t of m_s,   drift when m_t - M_t &gt; lambda
 * </pre>
 * after at least {@code minInstances} values. {@code alpha} just under 1 lets old deviations fade.
 */
public final class PageHinkley implements DriftDetector {
    private final double delta;
    private final double lambda;
    private final double alpha;
    private final int minInstances;
    private long n;
    private double mean;
    private double sum;
    private double min;

    public PageHinkley(double delta, double lambda, double alpha, int minInstances) {
        if (!(lambda > 0) || !(alpha > 0 && alpha <= 1) || delta < 0) {
            throw new IllegalArgumentException("Page-Hinkley needs lambda > 0, alpha in (0, 1] and delta >= 0");
        }
        this.delta = delta;
        this.lambda = lambda;
        this.alpha = alpha;
        this.minInstances = minInstances;
    }

    /** River's defaults: delta 0.005, lambda 50, alpha 0.9999, 30 values first. */
    public static PageHinkley withDefaults(double lambda) {
        return new PageHinkley(0.005, lambda, 0.9999, 30);
    }

    @Override
    public boolean update(double x) {
        n++;
        mean += (x - mean) / n;
        sum = alpha * sum + (x - mean - delta);
        min = Math.min(min, sum);
        if (n < minInstances || sum - min <= lambda) return false;
        reset();
        return true;
    }

    @Override
    public void reset() {
        n = 0;
        mean = 0;
        sum = 0;
        min = 0;
    }
}
