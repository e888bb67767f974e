package io.mlpstream.events;

import java.util.List;

/** One training step, published to the training-metrics topic (key = model name). */
public record TrainingMetrics(String model, long step, long examples, int batchSize, float loss, float batchAccuracy,
                              double prequentialAccuracy, float learningRate, double gradientNorm, List<Layer> layers,
                              double stepSeconds, long timestamp) {

    /** updateRatio: ||update|| / ||weights|| (DL4J's measure), null before it was first measured. */
    public record Layer(String name, double weightGradNorm, double biasGradNorm, double weightNorm, double deadFraction,
                        Double updateRatio) {
    }
}
