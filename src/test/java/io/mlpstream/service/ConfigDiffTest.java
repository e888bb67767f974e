package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    @Test
    void namesEverySettingTheRestoredModelKeepsAgainstTheConfiguration() {
        assertEquals(List.of(), ConfigDiff.of(ModelConfig.DEFAULT, ModelConfig.DEFAULT, OptimizerConfig.DEFAULT, OptimizerConfig.DEFAULT));
        List<String> d = ConfigDiff.of(ModelConfig.DEFAULT, ModelConfig.DEFAULT.withDropout(0.2f),
                OptimizerConfig.DEFAULT, OptimizerConfig.DEFAULT.withLr(0.001f));
        assertEquals(List.of("lr 0.001 (configured 0.0015)", "dropout 0.2 (configured 0.1)"), d);
    }
}
