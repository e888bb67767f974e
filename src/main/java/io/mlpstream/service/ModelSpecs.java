package io.mlpstream.service;

import io.smallrye.config.EnvConfigSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The configured models: {@code mlp.models.<name>.<key>} (or its environment form
 * {@code MLP_MODELS__<NAME>__<KEY>}, dashes written as underscores), else the lab preset if
 * {@code mlp.lab=true}, else one model from the plain keys under {@code mlp.model-name}, exactly as
 * before there were several. Unset keys of a named model take the plain keys' values.
 */
public final class ModelSpecs {
    private static final String PREFIX = "mlp.models.";
    private static final String ENV_PREFIX = "MLP_MODELS__";

    private ModelSpecs() {
    }

    /** The single model of the plain keys ({@code mlp.model.*}, {@code mlp.optimizer.*}, {@code mlp.training.*}). */
    public static ModelSpec base(MlpConfig config) {
        return new ModelSpec(config.modelName(), ModelFactory.model(config.model()), ModelFactory.optimizer(config.optimizer()),
                ModelFactory.trainer(config.training()), Map.of());
    }

    /**
     * Every configured model, sorted by name. {@code properties} are the config's property names and values
     * ({@code mlp.models.*} only are read), {@code env} the process environment.
     */
    public static List<ModelSpec> configured(MlpConfig config, Map<String, String> properties, Map<String, String> env) {
        ModelSpec base = base(config);
        Map<String, Map<String, String>> named = keysByName(properties, env);
        if (named.isEmpty() && config.lab()) named = LabPreset.KEYS;
        if (named.isEmpty()) return List.of(base);
        List<ModelSpec> specs = new ArrayList<>();
        named.forEach((name, keys) -> {
            try {
                specs.add(ModelSpec.parse(name, keys, base));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mlp.models." + name + ": " + e.getMessage(), e);
            }
        });
        return specs;
    }

    /**
     * The {@code mlp.models.*} properties of every config source but the environment, with their resolved values.
     * SmallRye reads MLP_MODELS__SIGMOID_DEEP__HIDDEN as {@code mlp.models."sigmoid.deep".hidden} (it cannot know a
     * dash from a dot), so the environment is read apart, by {@link #keysByName}.
     */
    public static Map<String, String> properties(Config config) {
        Map<String, String> properties = new TreeMap<>();
        for (ConfigSource source : config.getConfigSources()) {
            if (source instanceof EnvConfigSource) continue;
            for (String name : source.getPropertyNames()) {
                String plain = name.startsWith("%") && name.indexOf('.') > 0 ? name.substring(name.indexOf('.') + 1) : name;
                if (!plain.startsWith(PREFIX)) continue;
                config.getOptionalValue(plain, String.class).ifPresent(v -> properties.put(plain, v));
            }
        }
        return properties;
    }

    /** The keys of each named model, from properties ({@code mlp.models.relu.hidden}) and environment variables. */
    static Map<String, Map<String, String>> keysByName(Map<String, String> properties, Map<String, String> env) {
        Map<String, Map<String, String>> named = new TreeMap<>();
        properties.forEach((property, value) -> {
            if (!property.startsWith(PREFIX)) return;
            String rest = property.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) throw new IllegalArgumentException(property + ": expected mlp.models.<name>.<key>");
            String name = rest.substring(0, dot);
            if (name.startsWith("\"") && name.endsWith("\"")) name = name.substring(1, name.length() - 1);
            named.computeIfAbsent(name, k -> new TreeMap<>()).put(rest.substring(dot + 1), value);
        });
        // MLP_MODELS__SIGMOID_DEEP__BATCH_SIZE: names and keys hold no underscores, so every one was a dash
        env.forEach((variable, value) -> {
            if (!variable.startsWith(ENV_PREFIX)) return;
            String[] parts = variable.substring(ENV_PREFIX.length()).split("__");
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException(variable + ": expected MLP_MODELS__<NAME>__<KEY>, e.g. MLP_MODELS__SIGMOID_DEEP__HIDDEN");
            }
            named.computeIfAbsent(dashed(parts[0]), k -> new TreeMap<>()).put(dashed(parts[1]), value);
        });
        return named;
    }

    private static String dashed(String env) {
        return env.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
