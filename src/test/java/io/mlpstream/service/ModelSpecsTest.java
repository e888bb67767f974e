package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.nn.Activation;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerType;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Named models from properties and from the environment, as SmallRye hands them over. */
class ModelSpecsTest {

    private static SmallRyeConfig config(Map<String, String> env, Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(MlpConfig.class)
                .withSources(new EnvConfigSource(env, 300), new PropertiesConfigSource(properties, "test", 250)).build();
    }

    private static List<ModelSpec> specs(SmallRyeConfig c, Map<String, String> env) {
        return ModelSpecs.configured(c.getConfigMapping(MlpConfig.class), ModelSpecs.properties(c), env);
    }

    /** The README's form: MLP_MODELS__SIGMOID_DEEP__HIDDEN is sigmoid-deep's hidden, whatever SmallRye makes of it. */
    @Test
    void aDashedNameAndKeyAreWrittenWithDoubleUnderscoresAroundTheNameInTheEnvironment() {
        Map<String, String> env = Map.of("MLP_MODELS__SIGMOID_DEEP__HIDDEN", "64,32", "MLP_MODELS__SIGMOID_DEEP__ACTIVATION", "sigmoid",
                "MLP_MODELS__SIGMOID_DEEP__BATCH_SIZE", "8", "MLP_MODELS__RELU__OPTIMIZER", "sgd");
        List<ModelSpec> specs = specs(config(env, Map.of()), env);
        assertEquals(List.of("relu", "sigmoid-deep"), specs.stream().map(ModelSpec::name).toList());
        ModelSpec deep = specs.get(1);
        assertEquals(List.of(64, 32), deep.model().hidden());
        assertEquals(Activation.SIGMOID, deep.model().activation());
        assertEquals(8, deep.trainer().batchSize());
        assertEquals(OptimizerType.SGD, specs.get(0).optimizer().type());
    }

    @Test
    void propertiesNameModelsAndTheEnvironmentOverridesThem() {
        Map<String, String> env = Map.of("MLP_MODELS__TANH__HIDDEN", "16");
        Map<String, String> props = Map.of("mlp.models.tanh.activation", "tanh", "mlp.models.tanh.hidden", "8",
                "mlp.models.perceptron.type", "perceptron", "mlp.optimizer.lr", "0.01");
        List<ModelSpec> specs = specs(config(env, props), env);
        assertEquals(ModelType.PERCEPTRON, specs.get(0).model().type());
        assertEquals(List.of(16), specs.get(1).model().hidden(), "the environment wins, as everywhere in Quarkus");
        assertEquals(0.01f, specs.get(1).optimizer().lr(), "unset keys come from the plain keys");
    }

    @Test
    void withoutNamedModelsItIsTheOneModelOfThePlainKeysOrTheLab() {
        List<ModelSpec> one = specs(config(Map.of(), Map.of("mlp.model-name", "digits")), Map.of());
        assertEquals(List.of("digits"), one.stream().map(ModelSpec::name).toList());
        List<ModelSpec> lab = specs(config(Map.of(), Map.of("mlp.lab", "true")), Map.of());
        assertEquals(List.of("perceptron", "relu", "relu-no-dropout", "sigmoid-deep", "tanh"), lab.stream().map(ModelSpec::name).toList());
    }

    /** A model added at run time is written down with every key resolved, and made again the same. */
    @Test
    void resolvedKeysMakeTheSameModel() {
        ModelSpec base = ModelSpecs.base(config(Map.of(), Map.of()).getConfigMapping(MlpConfig.class));
        for (var keys : List.of(Map.of("activation", "leaky-relu", "negative-slope", "0.2", "hidden", "32,16", "init", "xavier"),
                Map.of("optimizer", "momentum", "lr", "0.05", "nesterov", "true", "batch-size", "8", "clip-norm", "1"),
                Map.<String, String>of("type", "perceptron"))) {
            ModelSpec spec = ModelSpec.parse("m", keys, base);
            ModelSpec again = ModelSpec.parse("m", spec.resolvedKeys(), ModelSpec.parse("other", Map.of("hidden", "7", "lr", "0.3"), base));
            assertEquals(spec.model(), again.model());
            assertEquals(spec.optimizer(), again.optimizer());
            assertEquals(spec.trainer().batchSize(), again.trainer().batchSize());
        }
    }

    @Test
    void anUnknownKeyOrABadValueOrNameIsRefusedWithItsName() {
        var e = assertThrows(IllegalArgumentException.class, () -> specs(config(Map.of(), Map.of("mlp.models.a.depth", "3")), Map.of()));
        assertTrue(e.getMessage().contains("depth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> specs(config(Map.of(), Map.of("mlp.models.a.lr", "fast")), Map.of()));
        assertTrue(e.getMessage().contains("lr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> specs(config(Map.of(), Map.of("mlp.models.\"A_b\".lr", "0.1")), Map.of()));
        assertTrue(e.getMessage().contains("lower-case"), e.getMessage());
    }
}
