package io.mlpstream.learn;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Networks;
import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.StateDictCodec;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.nn.optim.OptimizerType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The binary checkpoint format:
 * <pre>
 *   "MLPS" | format version (int) | payload length (int) | payload | CRC-32 of payload (int)
 *   payload = model config, optimizer config, step, examples trained,
 *             parameters (name, rows, cols, floats), optimizer state tensors, optimizer steps,
 *             the input offsets (name -> next offset), and from version 2: examples predicted,
 *             prequential seen and correct, and from version 3: the batch size
 * </pre>
 * The model config carries the dropout in effect, which PATCH may have changed since the learner was made.
 * Version 1 and 2 checkpoints are still read (version 1's prequential counts are 0, and neither has a batch size). Decoding checks everything
 * before it builds a learner, so a corrupt or truncated checkpoint fails with a
 * {@link CheckpointException} and never yields a half-loaded model.
 */
public final class CheckpointCodec {
    public static final int FORMAT_VERSION = 3;
    private static final int MAGIC = 0x4D4C5053; // "MLPS"

    private CheckpointCodec() {
    }

    /** A decoded checkpoint, and the input offsets that were stored beside it. */
    public record Stored(Checkpoint checkpoint, Map<String, Long> offsets) {
        public Stored {
            offsets = new TreeMap<>(offsets);
        }
    }

    public static byte[] encode(Checkpoint c) {
        return encode(c, Map.of());
    }

    /** Encodes the checkpoint with the input offsets it resumes from; call it between steps. */
    public static byte[] encode(Checkpoint c, Map<String, Long> offsets) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 20);
            DataOutputStream out = new DataOutputStream(body);
            Learner learner = c.learner();
            List<Parameter> params = learner.network().parameters();
            StateDictCodec.writeConfig(out, learner.config().withDropout(learner.dropout()));
            writeOptimizer(out, learner.rule().config());
            out.writeLong(c.step());
            out.writeLong(c.examplesTrained());
            StateDictCodec.writeTensors(out, params.stream().map(p -> p.value).toList(), params.stream().map(p -> p.name).toList());
            List<Tensor> state = learner.rule().state();
            StateDictCodec.writeTensors(out, state, state.stream().map(t -> "state").toList());
            out.writeLong(learner.rule().stateSteps());
            Map<String, Long> sorted = new TreeMap<>(offsets);
            out.writeInt(sorted.size());
            for (Map.Entry<String, Long> e : sorted.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeLong(c.examplesPredicted());
            out.writeLong(c.prequentialSeen());
            out.writeLong(c.prequentialCorrect());
            out.writeInt(c.batchSize());
            out.flush();
            return frame(body.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An upper bound of a snapshot's size, from the architecture alone (nothing is allocated): every parameter three
     * times (the weights and Adam's two moments), plus 64 KiB for the header, the names and the input offsets.
     */
    public static long maxBytes(ModelConfig config) {
        long floats = 0;
        for (int[] s : Networks.parameterShapes(config)) floats += (long) s[0] * s[1];
        return floats * Float.BYTES * 3 + (64 << 10);
    }

    /** Reads only the architecture, to compare it with the configured one before loading. */
    public static ModelConfig peekConfig(byte[] bytes) {
        try {
            return StateDictCodec.readConfig(new DataInputStream(new ByteArrayInputStream(checkedPayload(bytes))));
        } catch (IOException | RuntimeException e) {
            throw wrap(e);
        }
    }

    public static Stored decode(byte[] bytes, Kernels kernels) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(checkedPayload(bytes)));
            int version = ByteBuffer.wrap(bytes, 4, 4).getInt();
            ModelConfig config = StateDictCodec.readConfig(in);
            OptimizerConfig optimizer = readOptimizer(in);
            long step = in.readLong();
            long trained = in.readLong();
            List<StateDictCodec.Entry> params = StateDictCodec.readTensors(in);
            List<StateDictCodec.Entry> state = StateDictCodec.readTensors(in);
            long stateSteps = in.readLong();
            int n = StateDictCodec.count(in.readInt(), 1 << 16, "offsets");
            Map<String, Long> offsets = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                offsets.put(in.readUTF(), in.readLong());
            }
            long predicted = 0, seen = 0, correct = 0;
            if (version >= 2) {
                predicted = in.readLong();
                seen = in.readLong();
                correct = in.readLong();
            }
            int batchSize = version >= 3 ? in.readInt() : 0;
            if (in.available() != 0) {
                throw new CheckpointException(in.available() + " unexpected bytes after the end");
            }
            // Everything is read and checked against the declared architecture: only now build the learner,
            // whose size is then bounded by the checkpoint's own (a crafted config cannot allocate more).
            List<int[]> shapes = Networks.parameterShapes(config);
            checkShapes("parameters", params, shapes, 1);
            int perParameter = config.type() == ModelType.PERCEPTRON ? 0 : optimizer.type() == OptimizerType.ADAM ? 2 : 1;
            checkShapes("optimizer state", state, shapes, perParameter);
            Learner learner = Learner.create(config, optimizer, kernels);
            StateDictCodec.load(learner.network().parameters().stream().map(p -> p.value).toList(), params, "parameters");
            StateDictCodec.load(learner.rule().state(), state, "optimizer state");
            learner.rule().setStateSteps(stateSteps);
            return new Stored(new Checkpoint(learner, step, trained, predicted, seen, correct, batchSize), offsets);
        } catch (IOException | RuntimeException e) {
            throw wrap(e);
        }
    }

    /** Each of the shapes, repeated {@code times} in a row, must be the entries' shapes, in order. */
    private static void checkShapes(String what, List<StateDictCodec.Entry> entries, List<int[]> shapes, int times) {
        if (entries.size() != shapes.size() * times) {
            throw new CheckpointException(what + ": the snapshot has " + entries.size() + " tensors, its architecture needs "
                    + shapes.size() * times);
        }
        for (int i = 0; i < entries.size(); i++) {
            int[] shape = shapes.get(i / Math.max(1, times));
            StateDictCodec.Entry e = entries.get(i);
            if (e.rows() != shape[0] || e.cols() != shape[1]) {
                throw new CheckpointException(what + " " + i + ": the snapshot has shape (" + e.rows() + ", " + e.cols()
                        + "), its architecture needs (" + shape[0] + ", " + shape[1] + ")");
            }
        }
    }

    private static byte[] frame(byte[] payload) throws IOException {
        ByteArrayOutputStream framed = new ByteArrayOutputStream(payload.length + 16);
        DataOutputStream f = new DataOutputStream(framed);
        f.writeInt(MAGIC);
        f.writeInt(FORMAT_VERSION);
        f.writeInt(payload.length);
        f.write(payload);
        f.writeInt(crc(payload));
        return framed.toByteArray();
    }

    private static byte[] checkedPayload(byte[] bytes) throws IOException {
        if (bytes == null || bytes.length < 16) {
            throw new CheckpointException("snapshot truncated: " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new CheckpointException(String.format("not a model snapshot: magic 0x%08X, expected 0x%08X", magic, MAGIC));
        }
        int version = in.readInt();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new CheckpointException("snapshot format version " + version + " is not supported (this build reads "
                    + "1 to " + FORMAT_VERSION + ")");
        }
        int length = in.readInt();
        if (length < 0 || length != bytes.length - 16) {
            throw new CheckpointException("snapshot truncated or padded: header says " + length + " payload bytes, found "
                    + (bytes.length - 16));
        }
        byte[] payload = in.readNBytes(length);
        if (crc(payload) != in.readInt()) {
            throw new CheckpointException("snapshot corrupt: CRC-32 mismatch");
        }
        return payload;
    }

    private static void writeOptimizer(DataOutputStream out, OptimizerConfig o) throws IOException {
        out.writeUTF(o.type().label());
        out.writeFloat(o.lr());
        out.writeFloat(o.momentum());
        out.writeBoolean(o.nesterov());
        out.writeFloat(o.weightDecay());
        out.writeFloat(o.beta1());
        out.writeFloat(o.beta2());
        out.writeFloat(o.eps());
        out.writeFloat(o.clipNorm());
    }

    private static OptimizerConfig readOptimizer(DataInputStream in) throws IOException {
        return new OptimizerConfig(OptimizerType.parse(in.readUTF()), in.readFloat(), in.readFloat(), in.readBoolean(),
                in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat());
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    private static CheckpointException wrap(Exception e) {
        if (e instanceof CheckpointException s) return s;
        if (e instanceof EOFException) return new CheckpointException("snapshot truncated", e);
        return new CheckpointException("snapshot unreadable: " + e.getMessage(), e);
    }

    /** A checkpoint that cannot be loaded, with the reason. */
    public static final class CheckpointException extends RuntimeException {
        public CheckpointException(String message) {
            super(message);
        }

        public CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
