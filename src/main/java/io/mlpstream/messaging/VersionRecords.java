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
 * version's examples as its examples trained.
 */
final class VersionRecords {
    private VersionRecords() {
    }

    /** The version's weights in {@code scratch} (a learner of the model's architecture), encoded as a checkpoint. */
    static byte[] encode(ModelVersion v, Learner scratch) {
        List<Parameter> parameters = scratch.network().parameters();
        for (int p = 0; p < parameters.size(); p++) parameters.get(p).value.load(v.weights().get(p));
        return CheckpointCodec.encode(new Checkpoint(scratch, v.number(), v.examples(), 0, 0, 0, 0));
    }

    /** @throws RuntimeException when the bytes are not a model's checkpoint */
    static ModelVersion decode(byte[] value) {
        Checkpoint c = CheckpointCodec.decode(value, Kernels.best()).checkpoint();
        return new ModelVersion(c.step(), c.learner().network().parameters().stream().map(p -> p.value.toArray()).toList(),
                c.examplesTrained());
    }

    /** The newest version of each of {@code models} on the topic; a model with none is left out. */
    static Map<String, ModelVersion> newest(Map<String, Object> consumerProps, String topic, List<String> models) {
        Map<String, byte[]> stored = Checkpoints.newest(consumerProps, topic, Duration.ofSeconds(60));
        Map<String, ModelVersion> versions = new HashMap<>();
        for (String m : models) if (stored.containsKey(m)) versions.put(m, decode(stored.get(m)));
        return versions;
    }
}
