package io.mlpstream.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlpstream.events.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The models added ({@code POST /api/models}) and removed ({@code DELETE /api/models/{name}}) at run time,
 * kept in the checkpoints topic, so that a restart trains the same set as before it: the configured models,
 * minus those removed, plus those added (with the keys they were added with).
 */
record ModelRegistry(Map<String, Map<String, String>> added, List<String> removed, String serving) {
    static final ModelRegistry EMPTY = new ModelRegistry(Map.of(), List.of(), null);

    ModelRegistry {
        added = Map.copyOf(added == null ? Map.of() : added);
        removed = List.copyOf(removed == null ? List.of() : removed);
    }

    static ModelRegistry read(byte[] json) {
        if (json == null) return EMPTY;
        try {
            return Json.mapper().readValue(json, ModelRegistry.class);
        } catch (IOException e) {
            throw new IllegalStateException("The record of models added and removed at run time (a key starting with "
                    + CheckpointStore.REGISTRY + " in the checkpoints topic) is unreadable: " + e.getMessage() + ". Delete that key "
                    + "(a tombstone) to start from the configured models.", e);
        }
    }

    byte[] bytes() {
        try {
            return Json.mapper().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configured models with the changes applied, sorted by name. */
    List<ModelSpec> applyTo(List<ModelSpec> configured, ModelSpec base) {
        Map<String, ModelSpec> set = new TreeMap<>();
        configured.forEach(s -> set.put(s.name(), s));
        removed.forEach(set::remove);
        added.forEach((name, keys) -> set.put(name, ModelSpec.parse(name, keys, base)));
        return new ArrayList<>(set.values());
    }

    ModelRegistry withAdded(ModelSpec spec) {
        Map<String, Map<String, String>> a = new TreeMap<>(added);
        a.put(spec.name(), spec.resolvedKeys());
        TreeSet<String> r = new TreeSet<>(removed);
        r.remove(spec.name());
        return new ModelRegistry(a, new ArrayList<>(r), serving);
    }

    ModelRegistry withRemoved(String name, boolean configured) {
        Map<String, Map<String, String>> a = new TreeMap<>(added);
        a.remove(name);
        TreeSet<String> r = new TreeSet<>(removed);
        if (configured) r.add(name);
        return new ModelRegistry(a, new ArrayList<>(r), serving);
    }

    ModelRegistry withServing(String model) {
        return new ModelRegistry(added, removed, model);
    }
}
