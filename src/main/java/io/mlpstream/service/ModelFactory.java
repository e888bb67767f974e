package io.mlpstream.service;

import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Init;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.nn.optim.OptimizerType;

/**
 * Turns the service's configuration into the plain-Java configs of nn and learn: each key that is set
 * replaces one field of the default, the way nanoGPT's command line overrides its config.
 */
public final class ModelFactory {
    private ModelFactory() {
    }

    public static ModelConfig model(MlpConfig.Model m) {
        ModelConfig c = ModelConfig.DEFAULT;
        if (m.type().isPresent()) c = c.withType(ModelType.parse(m.type().get()));
        if (m.inputSize().isPresent()) c = c.withInputSize(m.inputSize().get());
        if (m.classes().isPresent()) c = c.withClasses(m.classes().get());
        if (m.hidden().isPresent()) c = c.withHidden(m.hidden().get());
        if (m.activation().isPresent()) c = c.withActivation(Activation.parse(m.activation().get()));
        if (m.negativeSlope().or(m::leakySlope).isPresent()) c = c.withNegativeSlope(m.negativeSlope().or(m::leakySlope).get());
        if (m.dropout().isPresent()) c = c.withDropout(m.dropout().get());
        if (m.init().filter(s -> !s.isBlank()).isPresent()) c = c.withInit(Init.parse(m.init().get()));
        if (m.seed().isPresent()) c = c.withSeed(m.seed().get());
        return c;
    }

    public static OptimizerConfig optimizer(MlpConfig.Optimizer o) {
        OptimizerConfig c = OptimizerConfig.DEFAULT;
        if (o.name().isPresent()) c = c.withType(OptimizerType.parse(o.name().get()));
        if (o.lr().isPresent()) c = c.withLr(o.lr().get());
        if (o.momentum().isPresent() && c.type() == OptimizerType.MOMENTUM) c = c.withMomentum(o.momentum().get());
        if (o.nesterov().isPresent()) c = c.withNesterov(o.nesterov().get());
        if (o.weightDecay().isPresent()) c = c.withWeightDecay(o.weightDecay().get());
        if (o.clipNorm().isPresent()) c = c.withClipNorm(o.clipNorm().get());
        return c;
    }

    public static TrainerConfig trainer(TrainingConfig t) {
        TrainerConfig c = TrainerConfig.DEFAULT;
        if (t.batchSize().isPresent()) c = c.withBatchSize(t.batchSize().get());
        if (t.idleFlush().isPresent()) c = c.withIdleFlush(t.idleFlush().get());
        if (t.window().isPresent()) c = c.withWindow(t.window().get());
        return c;
    }
}
