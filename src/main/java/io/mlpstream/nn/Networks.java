package io.mlpstream.nn;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/** Builds the network a {@link ModelConfig} describes. */
public final class Networks {
    private Networks() {
    }

    public static Sequential create(ModelConfig config, Kernels kernels) {
        return switch (config.type()) {
            case MLP -> mlp(config, kernels);
            case PERCEPTRON -> perceptron(config, kernels);
        };
    }

    /** x -> [Linear -> activation -> Dropout] x hidden -> Linear -> LogSoftmax. */
    public static Sequential mlp(ModelConfig config, Kernels kernels) {
        List<Module> layers = new ArrayList<>();
        RandomGenerator rng = new Well19937c(config.seed());
        List<Integer> sizes = new ArrayList<>(config.hidden());
        sizes.add(config.classes());
        int in = config.inputSize();
        for (int i = 0; i < sizes.size(); i++) {
            Linear linear = new Linear(in, sizes.get(i), kernels);
            if (i == 0) linear.withoutInputGrad();
            config.effectiveInit().apply(linear, rng, config.activation(), config.negativeSlope());
            layers.add(linear);
            if (i < sizes.size() - 1) {
                layers.add(config.activation().create(config.negativeSlope()));
                layers.add(new Dropout(config.dropout(), rng.nextLong()));
            }
            in = sizes.get(i);
        }
        layers.add(new LogSoftmax());
        return new Sequential(layers);
    }

    /**
     * The shape (rows, cols) of every parameter the network of this config has, in order, without
     * building it: a checkpoint's tensors are checked against them before anything is allocated.
     */
    public static List<int[]> parameterShapes(ModelConfig config) {
        List<Integer> sizes = new ArrayList<>();
        sizes.add(config.inputSize());
        if (config.type() == ModelType.MLP) sizes.addAll(config.hidden());
        sizes.add(config.classes());
        List<int[]> shapes = new ArrayList<>();
        for (int i = 1; i < sizes.size(); i++) {
            shapes.add(new int[] {sizes.get(i), sizes.get(i - 1)}); // weight (out, in)
            shapes.add(new int[] {1, sizes.get(i)});                 // bias (1, out)
        }
        return shapes;
    }

    /**
     * One score per class, x -> Linear -> LogSoftmax, with zero weights: the classic starting point of
     * the perceptron, whose rule is then independent of the learning rate's scale. The log-softmax only
     * makes its scores look like the MLP's log-probabilities; the rule itself uses their signs.
     */
    public static Sequential perceptron(ModelConfig config, Kernels kernels) {
        return new Sequential(new Linear(config.inputSize(), config.classes(), kernels).withoutInputGrad(),
                new LogSoftmax());
    }
}
