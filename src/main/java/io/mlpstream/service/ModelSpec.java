package io.mlpstream.service;

import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Init;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.nn.optim.OptimizerType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One named model of the lab: its architecture, its optimizer and its trainer, and the flat keys they were
 * made from ({@code mlp.models.<name>.<key>}, or the body of {@code POST /api/models}). The keys are kept so
 * that a model added at run time can be written down and made again after a restart.
 */
public record ModelSpec(String name, ModelConfig model, OptimizerConfig optimizer, TrainerConfig trainer,
                        Map<String, String> keys) {

    /** Every key a model takes: the model's, the optimizer's (its name as "optimizer") and the batch size. */
    public static final List<String> KEYS = List.of("type", "input-size", "classes", "hidden", "activation",
            "negative-slope", "dropout", "init", "seed", "optimizer", "lr", "momentum", "nesterov", "weight-decay",
            "clip-norm", "batch-size");

    public ModelSpec {
        ModelName.requireValid(name);
        keys = Map.copyOf(keys);
    }

    /**
     * A model from its flat keys, each replacing one field of {@code base}. Unknown keys and invalid values
     * are refused with an IllegalArgumentException that names the key.
     */
    public static ModelSpec parse(String name, Map<String, String> keys, ModelSpec base) {
        if (!ModelName.isValid(name)) {
            throw new IllegalArgumentException("model name '" + name + "' must be lower-case letters, digits and dashes");
        }
        ModelConfig m = base.model();
        OptimizerConfig o = base.optimizer();
        TrainerConfig t = base.trainer();
        // the optimizer's type first: its defaults (momentum) come before the keys that refine it
        if (keys.containsKey("optimizer")) o = o.withType(value("optimizer", keys, OptimizerType::parse));
        for (var e : new TreeMap<>(keys).entrySet()) {
            String k = e.getKey();
            switch (k) {
                case "type" -> m = m.withType(value(k, keys, ModelType::parse));
                case "input-size" -> m = m.withInputSize(value(k, keys, Integer::parseInt));
                case "classes" -> m = m.withClasses(value(k, keys, Integer::parseInt));
                case "hidden" -> m = m.withHidden(value(k, keys, ModelSpec::sizes));
                case "activation" -> m = m.withActivation(value(k, keys, Activation::parse));
                case "negative-slope" -> m = m.withNegativeSlope(value(k, keys, Float::parseFloat));
                case "dropout" -> m = m.withDropout(value(k, keys, Float::parseFloat));
                case "init" -> m = m.withInit(value(k, keys, Init::parse));
                case "seed" -> m = m.withSeed(value(k, keys, Long::parseLong));
                case "optimizer" -> { } // above
                case "lr" -> o = o.withLr(value(k, keys, Float::parseFloat));
                case "momentum" -> o = o.withMomentum(value(k, keys, Float::parseFloat));
                case "nesterov" -> o = o.withNesterov(value(k, keys, ModelSpec::bool));
                case "weight-decay" -> o = o.withWeightDecay(value(k, keys, Float::parseFloat));
                case "clip-norm" -> o = o.withClipNorm(value(k, keys, Float::parseFloat));
                case "batch-size" -> t = t.withBatchSize(value(k, keys, Integer::parseInt));
                default -> throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        checkPlausible(m, o, t);
        return new ModelSpec(name, m, o, t, keys);
    }

    /** Limits past which a model is a typo, not an experiment: the PATCH's limits, and a hidden layer a core can train. */
    private static void checkPlausible(ModelConfig m, OptimizerConfig o, TrainerConfig t) {
        new HyperparameterPatch(o.lr(), null, o.weightDecay(), m.dropout(), t.batchSize()); // throws with the PATCH's message
        if (m.hidden().size() > 16 || m.hidden().stream().anyMatch(h -> h > 8192)) {
            throw new IllegalArgumentException("hidden must be at most 16 layers of at most 8192 units, got " + m.hidden());
        }
    }

    /** Every key, resolved: the same model whatever the plain keys say later. */
    public Map<String, String> resolvedKeys() {
        Map<String, String> k = new TreeMap<>();
        k.put("type", model.type().label());
        k.put("input-size", String.valueOf(model.inputSize()));
        k.put("classes", String.valueOf(model.classes()));
        k.put("hidden", String.join(",", model.hidden().stream().map(String::valueOf).toList()));
        k.put("activation", model.activation().name().toLowerCase().replace('_', '-'));
        k.put("negative-slope", String.valueOf(model.negativeSlope()));
        k.put("dropout", String.valueOf(model.dropout()));
        if (model.init() != null) k.put("init", model.init().name().toLowerCase());
        k.put("seed", String.valueOf(model.seed()));
        k.put("optimizer", optimizer.type().label());
        k.put("lr", String.valueOf(optimizer.lr()));
        k.put("momentum", String.valueOf(optimizer.momentum()));
        k.put("nesterov", String.valueOf(optimizer.nesterov()));
        k.put("weight-decay", String.valueOf(optimizer.weightDecay()));
        k.put("clip-norm", String.valueOf(optimizer.clipNorm()));
        k.put("batch-size", String.valueOf(trainer.batchSize()));
        return k;
    }

    private interface Parser<T> {
        T parse(String s) throws Exception;
    }

    private static <T> T value(String key, Map<String, String> keys, Parser<T> parser) {
        String raw = keys.get(key);
        try {
            if (raw == null || raw.isBlank()) throw new IllegalArgumentException("empty");
            return parser.parse(raw.trim());
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid " + key + " '" + raw + "': " + e.getMessage());
        }
    }

    private static List<Integer> sizes(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
    }

    private static boolean bool(String s) {
        if (!s.equals("true") && !s.equals("false")) throw new IllegalArgumentException("true or false");
        return Boolean.parseBoolean(s);
    }
}
