package io.mlpstream.nn;

/** Builds the model a config names. */
public final class Models {
    private Models() {
    }

    public static Model create(ModelConfig config, OptimizerConfig opt, Kernels kernels) {
        return config.type().equals("perceptron")
                ? new Perceptron(config, opt.lr(), kernels)
                : Mlp.create(config, opt, kernels);
    }
}
