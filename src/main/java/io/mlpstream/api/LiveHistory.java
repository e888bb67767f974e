package io.mlpstream.api;

import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.service.ModelInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * What one model did so far, for a page that opens late: its loss and per-layer gradient norms, and its window
 * accuracy, over time. At most {@link #KEPT} points of each: when full, every other one is dropped, so that the
 * history spans the whole run at a resolution that halves as it grows.
 */
final class LiveHistory {
    static final int KEPT = 300;

    /** A training-metrics record, reduced to what the charts draw. */
    record Step(long t, float loss, double[] weightGradNorms) {
        static Step of(TrainingMetrics m) {
            return new Step(m.timestamp(), m.loss(), m.layers().stream().mapToDouble(TrainingMetrics.Layer::weightGradNorm).toArray());
        }
    }

    /** A window accuracy at a time. */
    record Accuracy(long t, double accuracy) {
    }

    record Snapshot(List<Step> steps, List<Accuracy> accuracy) {
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<Accuracy> accuracy = new ArrayList<>();

    synchronized void add(TrainingMetrics m) {
        add(steps, Step.of(m));
    }

    private long lastExamplesTrained = -1;

    /** The model's window accuracy now, if it learned something since the last point: an idle spell adds nothing. */
    synchronized void add(long t, ModelInfo info) {
        if (info.examplesTrained() == lastExamplesTrained || Double.isNaN(info.windowAccuracy())) return;
        lastExamplesTrained = info.examplesTrained();
        add(accuracy, new Accuracy(t, info.windowAccuracy()));
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(steps), List.copyOf(accuracy));
    }

    private static <T> void add(List<T> points, T point) {
        if (points.size() >= KEPT) {
            List<T> every2nd = new ArrayList<>(KEPT / 2 + 1);
            for (int i = 0; i < points.size(); i += 2) every2nd.add(points.get(i));
            points.clear();
            points.addAll(every2nd);
        }
        points.add(point);
    }
}
