package io.mlpstream.messaging;

import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Init;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.OptimizerConfig;

/** Turns the typed configuration into the plain-Java configs of nn and learn. */
public final class ModelFactory {
    private ModelFactory() {
    }

    public static ModelConfig model(MlpConfig.Model m) {
        return new ModelConfig(m.type(), m.inputSize(), m.hidden(), m.classes(), Activation.parse(m.activation()),
                m.leakySlope(), m.dropout(), m.init().filter(s -> !s.isBlank()).map(Init::parse).orElse(null), m.seed());
    }

    public static OptimizerConfig optimizer(MlpConfig.Optimizer o) {
        OptimizerConfig base = o.name().equals("adam") ? OptimizerConfig.adam(o.lr()) : OptimizerConfig.sgd(o.lr());
        return new OptimizerConfig(o.name(), o.lr(), o.name().equals("momentum") ? o.momentum() : 0f, o.nesterov(),
                o.weightDecay(), base.beta1(), base.beta2(), base.eps(), o.clipNorm());
    }

    public static TrainerConfig trainer(MlpConfig.Training t) {
        return new TrainerConfig(t.batchSize(), t.idleFlush(), t.window());
    }
}
