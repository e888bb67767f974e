package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.StateDictCodec;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {
    private final ModelConfig config = new ModelConfig(ModelType.MLP, 20, List.of(16, 8), 5, Activation.RELU, 0.01f, 0.2f, null, 9);

    @Test
    void aRestoredModelPredictsBitIdentically() {
        Learner model = trained(OptimizerConfig.adam(1e-2f));
        byte[] bytes = CheckpointCodec.encode(new Checkpoint(model, 5, 120, 0, 0, 0, 16), Map.of("images-0", 77L));
        CheckpointCodec.Stored restored = CheckpointCodec.decode(bytes, Kernels.best());
        Learner back = restored.checkpoint().learner();

        Tensor x = input(7);
        assertArrayEquals(eval(model).forward(x).toArray(), eval(back).forward(x).toArray());
        assertEquals(5, restored.checkpoint().step());
        assertEquals(120, restored.checkpoint().examplesTrained());
        assertEquals(Map.of("images-0", 77L), restored.offsets());
        assertEquals(config, back.config());
        assertEquals(model.rule().stateSteps(), back.rule().stateSteps());
        for (int i = 0; i < model.rule().state().size(); i++) {
            assertArrayEquals(model.rule().state().get(i).toArray(), back.rule().state().get(i).toArray());
        }
    }

    @Test
    void theTrainersCountsRoundTripAndVersion1SnapshotsStillLoad() {
        Learner model = trained(OptimizerConfig.sgd(0.1f));
        byte[] v3 = CheckpointCodec.encode(new Checkpoint(model, 5, 120, 150, 118, 97, 64));
        Checkpoint restored = CheckpointCodec.decode(v3, Kernels.best()).checkpoint();
        assertEquals(List.of(120L, 150L, 118L, 97L), List.of(restored.examplesTrained(), restored.examplesPredicted(),
                restored.prequentialSeen(), restored.prequentialCorrect()));
        assertEquals(64, restored.batchSize());

        // version 1, as an older build wrote it: the same payload without the three counts and the batch size
        byte[] payload = Arrays.copyOfRange(v3, 12, v3.length - 4 - 3 * Long.BYTES - Integer.BYTES);
        CRC32 crc = new CRC32();
        crc.update(payload);
        byte[] v1 = ByteBuffer.allocate(payload.length + 16).putInt(0x4D4C5053).putInt(1)
                .putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
        Checkpoint old = CheckpointCodec.decode(v1, Kernels.best()).checkpoint();
        assertEquals(120, old.examplesTrained());
        assertEquals(0, old.prequentialSeen());
        assertEquals(0, old.batchSize(), "none stored: the configured one applies");
        assertArrayEquals(eval(model).forward(input(3)).toArray(), eval(old.learner()).forward(input(3)).toArray());
    }

    @Test
    void perceptronRoundTrips() {
        ModelConfig p = new ModelConfig(ModelType.PERCEPTRON, 20, List.of(), 5, Activation.RELU, 0.01f, 0f, null, 9);
        Learner model = Learner.create(p, OptimizerConfig.sgd(1f), Kernels.best());
        model.rule().step(input(4), new int[] {0, 1, 2, 3}, WeightUpdate.DIRECT);
        Learner restored = CheckpointCodec.decode(CheckpointCodec.encode(Checkpoint.of(model, 1)), Kernels.best()).checkpoint().learner();
        assertArrayEquals(model.network().forward(input(3)).toArray(), restored.network().forward(input(3)).toArray());
    }

    @Test
    void everyTruncationFailsClearly() {
        byte[] bytes = CheckpointCodec.encode(Checkpoint.of(trained(OptimizerConfig.sgd(0.1f)), 5));
        for (int len : new int[] {0, 3, 15, 16, 100, bytes.length / 2, bytes.length - 1}) {
            var e = assertThrows(CheckpointCodec.CheckpointException.class,
                    () -> CheckpointCodec.decode(Arrays.copyOf(bytes, len), Kernels.best()));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void corruptionIsDetected() {
        byte[] bytes = CheckpointCodec.encode(Checkpoint.of(trained(OptimizerConfig.sgd(0.1f)), 5));
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x40;
        var e = assertThrows(CheckpointCodec.CheckpointException.class, () -> CheckpointCodec.decode(flipped, Kernels.best()));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());

        byte[] magic = bytes.clone();
        magic[0] = 'X';
        e = assertThrows(CheckpointCodec.CheckpointException.class, () -> CheckpointCodec.decode(magic, Kernels.best()));
        assertTrue(e.getMessage().contains("not a model snapshot"), e.getMessage());

        byte[] version = bytes.clone();
        version[7] = 99;
        e = assertThrows(CheckpointCodec.CheckpointException.class, () -> CheckpointCodec.decode(version, Kernels.best()));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void aCraftedArchitectureIsRefusedBeforeAnythingIsAllocated() throws Exception {
        // a valid frame around a config that declares two hidden layers of 40,000 units and no tensors:
        // building it first would allocate 1.6 billion floats for one weight matrix alone
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        StateDictCodec.writeConfig(out, ModelConfig.DEFAULT.withHidden(List.of(40_000, 40_000)));
        out.writeUTF("adam");
        for (int i = 0; i < 2; i++) out.writeFloat(0.001f);
        out.writeBoolean(false);
        for (int i = 0; i < 5; i++) out.writeFloat(i == 1 ? 0.9f : i == 2 ? 0.999f : 0f);
        out.writeLong(1);
        out.writeLong(1);
        out.writeInt(0); // parameters
        out.writeInt(0); // optimizer state
        out.writeLong(0);
        out.writeInt(0); // offsets
        for (int i = 0; i < 3; i++) out.writeLong(0);
        byte[] payload = body.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(payload);
        byte[] crafted = ByteBuffer.allocate(payload.length + 16).putInt(0x4D4C5053).putInt(2)
                .putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
        var e = assertThrows(CheckpointCodec.CheckpointException.class, () -> CheckpointCodec.decode(crafted, Kernels.best()));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
    }

    private Learner trained(OptimizerConfig opt) {
        Learner model = Learner.create(config, opt, Kernels.best());
        for (int s = 0; s < 5; s++) model.rule().step(input(6), new int[] {0, 1, 2, 3, 4, 0}, WeightUpdate.DIRECT);
        return model;
    }

    private static Sequential eval(Learner learner) {
        return learner.inferenceReplica();
    }

    private static Tensor input(int rows) {
        Random r = new Random(rows);
        Tensor x = new Tensor(rows, 20);
        for (int i = 0; i < x.size(); i++) x.set(i, r.nextFloat());
        return x;
    }
}
