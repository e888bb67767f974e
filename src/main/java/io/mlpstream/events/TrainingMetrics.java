package io.mlpstream.events;

import java.util.List;

/** One training step, published to the training-metrics topic (key = model name). */
public record TrainingMetrics(String model, long step, long examples, int batchSize, float loss, float batchAccuracy,
                              double prequentialAccuracy, float learningRate, double gradientNorm, List<Layer> layers,
                              double stepSeconds, long timestamp) {

    public record Layer(String name, double weightGradNorm, double biasGradNorm, double weightNorm, double deadFraction) {
    }
}
