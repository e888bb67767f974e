package io.mlpstream.service;

import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import java.util.List;

/** A training step as the training-metrics record publishes it. */
public final class TrainingReport {
    private TrainingReport() {
    }

    public static TrainingMetrics of(String model, StepStats stats, OnlineTrainer t) {
        List<TrainingMetrics.Layer> layers = stats.layers.stream()
                .map(l -> new TrainingMetrics.Layer(l.name, l.weightGradNorm, l.biasGradNorm, l.weightNorm, l.deadFraction,
                        Double.isNaN(l.updateRatio) ? null : l.updateRatio))
                .toList();
        return new TrainingMetrics(model, t.step(), t.examplesTrained(), stats.batchSize, stats.loss, stats.batchAccuracy,
                t.accuracy().cumulative(), t.learner().rule().config().lr(), stats.gradientNorm, layers, stats.seconds,
                System.currentTimeMillis());
    }
}
