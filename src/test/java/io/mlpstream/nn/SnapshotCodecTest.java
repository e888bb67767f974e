package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    private final ModelConfig config = new ModelConfig("mlp", 20, List.of(16, 8), 5, Activation.RELU, 0.01f, 0.2f, null, 9);

    @Test
    void aRestoredModelPredictsBitIdentically() {
        Mlp model = trained(OptimizerConfig.adam(1e-2f));
        byte[] bytes = SnapshotCodec.encode(new Snapshot(model, model.optimizer().config(), 120, Map.of("images-0", 77L)));
        Snapshot restored = SnapshotCodec.decode(bytes, Kernels.best());

        Tensor x = input(7);
        assertArrayEquals(model.inferenceReplica().forward(x).toArray(), restored.model().inferenceReplica().forward(x).toArray());
        assertEquals(model.step(), restored.model().step());
        assertEquals(120, restored.examplesTrained());
        assertEquals(Map.of("images-0", 77L), restored.offsets());
        assertEquals(config, restored.model().config());
        assertEquals(model.optimizer().steps(), restored.model().optimizer().steps());
        for (int i = 0; i < model.optimizer().state().size(); i++) {
            assertArrayEquals(model.optimizer().state().get(i).toArray(), restored.model().optimizer().state().get(i).toArray());
        }
    }

    @Test
    void theTrainersCountsRoundTripAndVersion1SnapshotsStillLoad() {
        Mlp model = trained(OptimizerConfig.sgd(0.1f));
        byte[] v2 = SnapshotCodec.encode(new Snapshot(model, OptimizerConfig.sgd(0.1f), 120, 150, 118, 97, Map.of()));
        Snapshot restored = SnapshotCodec.decode(v2, Kernels.best());
        assertEquals(List.of(120L, 150L, 118L, 97L), List.of(restored.examplesTrained(), restored.examplesPredicted(),
                restored.prequentialSeen(), restored.prequentialCorrect()));

        // version 1, as the previous build wrote it: the same payload without the three counts
        byte[] payload = Arrays.copyOfRange(v2, 12, v2.length - 4 - 3 * Long.BYTES);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(payload);
        byte[] v1 = java.nio.ByteBuffer.allocate(payload.length + 16).putInt(0x4D4C5053).putInt(1)
                .putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
        Snapshot old = SnapshotCodec.decode(v1, Kernels.best());
        assertEquals(120, old.examplesTrained());
        assertEquals(0, old.prequentialSeen());
        assertArrayEquals(model.inferenceReplica().forward(input(3)).toArray(),
                old.model().inferenceReplica().forward(input(3)).toArray());
    }

    @Test
    void perceptronRoundTrips() {
        ModelConfig p = new ModelConfig("perceptron", 20, List.of(), 5, Activation.RELU, 0.01f, 0f, null, 9);
        Model model = Models.create(p, OptimizerConfig.sgd(1f), Kernels.best());
        model.trainStep(input(4), new int[] {0, 1, 2, 3});
        Snapshot restored = SnapshotCodec.decode(SnapshotCodec.encode(new Snapshot(model, OptimizerConfig.sgd(1f), 4, Map.of())), Kernels.best());
        assertArrayEquals(model.forward(input(3)).toArray(), restored.model().forward(input(3)).toArray());
    }

    @Test
    void everyTruncationFailsClearly() {
        Mlp model = trained(OptimizerConfig.sgd(0.1f));
        byte[] bytes = SnapshotCodec.encode(new Snapshot(model, OptimizerConfig.sgd(0.1f), 1, Map.of()));
        for (int len : new int[] {0, 3, 15, 16, 100, bytes.length / 2, bytes.length - 1}) {
            var e = assertThrows(SnapshotCodec.SnapshotException.class, () -> SnapshotCodec.decode(Arrays.copyOf(bytes, len), Kernels.best()));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void corruptionIsDetected() {
        Mlp model = trained(OptimizerConfig.sgd(0.1f));
        byte[] bytes = SnapshotCodec.encode(new Snapshot(model, OptimizerConfig.sgd(0.1f), 1, Map.of()));
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x40;
        var e = assertThrows(SnapshotCodec.SnapshotException.class, () -> SnapshotCodec.decode(flipped, Kernels.best()));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());

        byte[] magic = bytes.clone();
        magic[0] = 'X';
        e = assertThrows(SnapshotCodec.SnapshotException.class, () -> SnapshotCodec.decode(magic, Kernels.best()));
        assertTrue(e.getMessage().contains("not a model snapshot"), e.getMessage());

        byte[] version = bytes.clone();
        version[7] = 99;
        e = assertThrows(SnapshotCodec.SnapshotException.class, () -> SnapshotCodec.decode(version, Kernels.best()));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    private Mlp trained(OptimizerConfig opt) {
        Mlp model = Mlp.create(config, opt, Kernels.best());
        for (int s = 0; s < 5; s++) model.trainStep(input(6), new int[] {0, 1, 2, 3, 4, 0});
        return model;
    }

    private static Tensor input(int rows) {
        Random r = new Random(rows);
        Tensor x = new Tensor(rows, 20);
        for (int i = 0; i < x.size(); i++) x.set(i, r.nextFloat());
        return x;
    }
}
