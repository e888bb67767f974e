package io.mlpstream.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The body of POST /api/models as flat keys: {@code {"name": "tanh-small", "activation": "tanh", "hidden": [64],
 * "lr": 0.01, "batch-size": 32}}. Keys as in {@code mlp.models.<name>.*}, or in camelCase (batchSize). Numbers
 * must be JSON numbers, counts whole numbers, names strings, nesterov a boolean: nothing is guessed.
 */
final class NewModelRequest {
    private static final Set<String> TEXT = Set.of("type", "activation", "init", "optimizer");
    private static final Set<String> WHOLE = Set.of("input-size", "classes", "seed", "batch-size");

    private NewModelRequest() {
    }

    static ModelSpec read(JsonNode body, ModelSpec base) {
        if (body == null || !body.isObject()) throw new IllegalArgumentException("send a JSON object with \"name\" and any of " + ModelSpec.KEYS);
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) throw new IllegalArgumentException("\"name\" (a string) is required");
        Map<String, String> keys = new TreeMap<>();
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) body::fields) {
            if (e.getKey().equals("name")) continue;
            String key = dashed(e.getKey());
            keys.put(key, text(key, e.getValue()));
        }
        return ModelSpec.parse(name.asText(), keys, base);
    }

    private static String text(String key, JsonNode v) {
        if (!ModelSpec.KEYS.contains(key)) throw new IllegalArgumentException("unknown key '" + key + "' (known: " + ModelSpec.KEYS + ")");
        if (TEXT.contains(key)) {
            if (!v.isTextual()) throw new IllegalArgumentException(key + " must be a string");
            return v.asText();
        }
        if (key.equals("nesterov")) {
            if (!v.isBoolean()) throw new IllegalArgumentException("nesterov must be true or false");
            return v.asText();
        }
        if (key.equals("hidden")) {
            if (!v.isArray()) throw new IllegalArgumentException("hidden must be an array of layer sizes, e.g. [128, 64]");
            StringBuilder sizes = new StringBuilder();
            for (JsonNode h : v) {
                if (!h.isIntegralNumber()) throw new IllegalArgumentException("hidden must hold whole numbers, got " + h);
                sizes.append(sizes.isEmpty() ? "" : ",").append(h.asLong());
            }
            return sizes.toString();
        }
        if (!v.isNumber()) throw new IllegalArgumentException(key + " must be a number, got " + v);
        if (WHOLE.contains(key) && !v.isIntegralNumber()) throw new IllegalArgumentException(key + " must be a whole number, got " + v);
        return v.asText();
    }

    /** batchSize -> batch-size */
    private static String dashed(String key) {
        return key.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
