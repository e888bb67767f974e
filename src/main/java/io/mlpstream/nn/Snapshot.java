package io.mlpstream.nn;

import java.util.Map;
import java.util.TreeMap;

/**
 * A whole model frozen in time: weights, optimizer state and step count (inside {@code model}),
 * plus what the trainer around it needs to resume exactly: examples trained and predicted, the
 * prequential counts (labeled examples scored, and scored right), and the next input offset of every
 * partition ("topic-partition" -> offset).
 */
public record Snapshot(Model model, OptimizerConfig optimizer, long examplesTrained, long examplesPredicted,
                       long prequentialSeen, long prequentialCorrect, Map<String, Long> offsets) {
    public Snapshot {
        offsets = new TreeMap<>(offsets);
    }

    /** A snapshot of a model alone, without a trainer's counts. */
    public Snapshot(Model model, OptimizerConfig optimizer, long examplesTrained, Map<String, Long> offsets) {
        this(model, optimizer, examplesTrained, 0, 0, 0, offsets);
    }
}
