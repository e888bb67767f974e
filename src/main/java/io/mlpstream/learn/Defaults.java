package io.mlpstream.learn;

import io.mlpstream.nn.Activation;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.OptimizerConfig;
import java.time.Duration;
import java.util.List;

/**
 * The service's default model, chosen for online learning (a single pass over a stream): see the
 * README's "Choosing the defaults" for the measurements behind each value. The service's
 * configuration defaults must equal these (a test checks it).
 */
public final class Defaults {
    public static final ModelConfig MODEL =
            new ModelConfig("mlp", 784, List.of(256, 128), 10, Activation.RELU, 0.01f, 0.1f, null, 42);
    public static final OptimizerConfig OPTIMIZER = OptimizerConfig.adam(1.5e-3f);
    public static final TrainerConfig TRAINER = new TrainerConfig(16, Duration.ofSeconds(1), 1000);

    private Defaults() {
    }
}
