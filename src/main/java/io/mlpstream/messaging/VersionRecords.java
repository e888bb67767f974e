package io.mlpstream.messaging;

import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Parameter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A version of a data-parallel model on the models topic (key = model name): the model's checkpoint, as every model
 * record there, so that predictor replicas follow it unchanged, with the version's number as its step and the
 * version's examples as its examples trained, and the position in model-updates after the last update in it, so
 * that the next averager goes on from exactly there.
 */
final class VersionRecords {
    /** The newest versions found, and the model-updates offset after the updates they hold (-1: none stored). */
    record Published(Map<String, ModelVersion> versions, long nextUpdate) {
    }

    private VersionRecords() {
    }

    /** The version's weights in {@code scratch} (a learner of the model's architecture), encoded as a checkpoint. */
    static byte[] encode(ModelVersion v, Learner scratch, String updatesPartition, long nextUpdate) {
        List<Parameter> parameters = scratch.network().parameters();
        for (int p = 0; p < parameters.size(); p++) parameters.get(p).value.load(v.weights().get(p));
        return CheckpointCodec.encode(new Checkpoint(scratch, v.number(), v.examples(), 0, 0, 0, 0),
                Map.of(updatesPartition, nextUpdate));
    }

    /** @throws RuntimeException when the bytes are not a model's checkpoint */
    static ModelVersion decode(byte[] value) {
        return of(CheckpointCodec.decode(value, Kernels.best()).checkpoint());
    }

    private static ModelVersion of(Checkpoint c) {
        return new ModelVersion(c.step(), c.learner().network().parameters().stream().map(p -> p.value.toArray()).toList(),
                c.examplesTrained());
    }

    /**
     * The newest version of each of {@code models} on the topic (a model with none is left out), and the furthest
     * position in {@code updatesPartition} they name: a model without updates since keeps an older one.
     */
    static Published newest(Map<String, Object> consumerProps, String topic, List<String> models, String updatesPartition) {
        Map<String, byte[]> stored = Checkpoints.newest(consumerProps, topic, Duration.ofSeconds(60));
        Map<String, ModelVersion> versions = new HashMap<>();
        long next = -1;
        for (String m : models) {
            if (!stored.containsKey(m)) continue;
            CheckpointCodec.Stored s = CheckpointCodec.decode(stored.get(m), Kernels.best());
            versions.put(m, of(s.checkpoint()));
            next = Math.max(next, s.offsets().getOrDefault(updatesPartition, -1L));
        }
        return new Published(versions, next);
    }
}
