package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The defaults live in the config records; the service's configuration and the PyTorch script agree with them. */
class DefaultsTest {

    @Test
    void theServiceWithNothingConfiguredRunsTheRecordsDefaults() throws Exception {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(getClass().getClassLoader().getResource("application.properties")))
                .withConverter(Duration.class, 100, new DurationConverter()) // Quarkus' "30s" form
                .withMapping(MlpConfig.class)
                .build();
        MlpConfig mlp = config.getConfigMapping(MlpConfig.class);
        assertEquals(ModelConfig.DEFAULT, ModelFactory.model(mlp.model()));
        assertEquals(OptimizerConfig.DEFAULT, ModelFactory.optimizer(mlp.optimizer()));
        assertEquals(TrainerConfig.DEFAULT, ModelFactory.trainer(mlp.training()));
    }

    @Test
    void thePyTorchScriptsDefaultsAreTheSame() throws Exception {
        String script = Files.readString(Path.of("src/bench/python/pytorch_bench.py"));
        Map<String, String> defaults = new HashMap<>();
        Matcher m = Pattern.compile("add_argument\\(\"--([a-z-]+)\"[^\\n]*?default=(?:\"([^\"]*)\"|([^,)]+))").matcher(script);
        while (m.find()) defaults.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        ModelConfig model = ModelConfig.DEFAULT;
        OptimizerConfig opt = OptimizerConfig.DEFAULT;
        assertEquals(String.join(",", model.hidden().stream().map(String::valueOf).toList()), defaults.get("hidden"));
        assertEquals(model.activation().label(), defaults.get("activation"));
        assertEquals(model.dropout(), Float.parseFloat(defaults.get("dropout")));
        assertEquals(model.effectiveInit().name().toLowerCase(), defaults.get("init"));
        assertEquals(model.seed(), Long.parseLong(defaults.get("seed")));
        assertEquals(TrainerConfig.DEFAULT.batchSize(), Integer.parseInt(defaults.get("batch-size")));
        assertEquals(opt.type().label(), defaults.get("optimizer"));
        assertEquals(opt.lr(), Float.parseFloat(defaults.get("lr")));
    }
}
