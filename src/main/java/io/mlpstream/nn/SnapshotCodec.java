package io.mlpstream.nn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The binary snapshot format:
 * <pre>
 *   "MLPS" | format version (int) | payload length (int) | payload | CRC-32 of payload (int)
 *   payload = model config, optimizer config, step, examples trained,
 *             parameters (name, rows, cols, floats), optimizer state tensors, optimizer steps, offsets,
 *             and from version 2: examples predicted, prequential seen and correct
 * </pre>
 * Version 1 snapshots are still read (their prequential counts are 0).
 * Decoding checks everything before it builds a model, so a corrupt or truncated snapshot fails with
 * a {@link SnapshotException} and never yields a half-loaded model. Big-endian, as DataOutputStream.
 */
public final class SnapshotCodec {
    public static final int FORMAT_VERSION = 2;
    private static final int MAGIC = 0x4D4C5053; // "MLPS"

    private SnapshotCodec() {
    }

    public static byte[] encode(Snapshot s) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 20);
            DataOutputStream out = new DataOutputStream(body);
            writeConfig(out, s.model().config());
            writeOptimizer(out, s.optimizer());
            out.writeLong(s.model().step());
            out.writeLong(s.examplesTrained());
            writeTensors(out, s.model().parameters().stream().map(p -> p.value).toList(),
                    s.model().parameters().stream().map(p -> p.name).toList());
            Optimizer opt = s.model().optimizer();
            List<Tensor> state = opt == null ? List.of() : opt.state();
            writeTensors(out, state, state.stream().map(t -> "state").toList());
            out.writeLong(opt == null ? 0 : opt.steps());
            out.writeInt(s.offsets().size());
            for (Map.Entry<String, Long> e : s.offsets().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeLong(s.examplesPredicted());
            out.writeLong(s.prequentialSeen());
            out.writeLong(s.prequentialCorrect());
            out.flush();
            byte[] payload = body.toByteArray();
            ByteArrayOutputStream framed = new ByteArrayOutputStream(payload.length + 16);
            DataOutputStream f = new DataOutputStream(framed);
            f.writeInt(MAGIC);
            f.writeInt(FORMAT_VERSION);
            f.writeInt(payload.length);
            f.write(payload);
            f.writeInt(crc(payload));
            return framed.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads only the config, to compare architectures before deciding to load. */
    public static ModelConfig peekConfig(byte[] bytes) {
        try {
            return readConfig(new DataInputStream(new ByteArrayInputStream(checkedPayload(bytes))));
        } catch (IOException | RuntimeException e) {
            throw wrap(e);
        }
    }

    public static Snapshot decode(byte[] bytes, Kernels kernels) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(checkedPayload(bytes)));
            int version = ByteBuffer.wrap(bytes, 4, 4).getInt();
            ModelConfig config = readConfig(in);
            OptimizerConfig optConfig = readOptimizer(in);
            long step = in.readLong();
            long examples = in.readLong();
            List<float[]> params = readTensors(in);
            List<float[]> state = readTensors(in);
            long optSteps = in.readLong();
            int n = count(in.readInt(), 1 << 16, "offsets");
            Map<String, Long> offsets = new HashMap<>();
            for (int i = 0; i < n; i++) {
                offsets.put(in.readUTF(), in.readLong());
            }
            long predicted = 0, seen = 0, correct = 0;
            if (version >= 2) {
                predicted = in.readLong();
                seen = in.readLong();
                correct = in.readLong();
            }
            if (in.available() != 0) {
                throw new SnapshotException(in.available() + " unexpected bytes after the end");
            }
            // Everything is read and checked: only now build the model.
            Model model = Models.create(config, optConfig, kernels);
            load(model.parameters().stream().map(p -> p.value).toList(), params, "parameters");
            if (model.optimizer() != null) {
                load(model.optimizer().state(), state, "optimizer state");
                model.optimizer().setSteps(optSteps);
            }
            model.setStep(step);
            return new Snapshot(model, optConfig, examples, predicted, seen, correct, offsets);
        } catch (IOException | RuntimeException e) {
            throw wrap(e);
        }
    }

    private static byte[] checkedPayload(byte[] bytes) throws IOException {
        if (bytes == null || bytes.length < 16) {
            throw new SnapshotException("snapshot truncated: " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new SnapshotException(String.format("not a model snapshot: magic 0x%08X, expected 0x%08X", magic, MAGIC));
        }
        int version = in.readInt();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new SnapshotException("snapshot format version " + version + " is not supported (this build reads "
                    + "1 to " + FORMAT_VERSION + ")");
        }
        int length = in.readInt();
        if (length < 0 || length != bytes.length - 16) {
            throw new SnapshotException("snapshot truncated or padded: header says " + length + " payload bytes, found "
                    + (bytes.length - 16));
        }
        byte[] payload = in.readNBytes(length);
        int expected = in.readInt();
        if (crc(payload) != expected) {
            throw new SnapshotException("snapshot corrupt: CRC-32 mismatch");
        }
        return payload;
    }

    private static void writeConfig(DataOutputStream out, ModelConfig c) throws IOException {
        out.writeUTF(c.type());
        out.writeInt(c.inputSize());
        out.writeInt(c.hidden().size());
        for (int h : c.hidden()) out.writeInt(h);
        out.writeInt(c.classes());
        out.writeUTF(c.activation().name());
        out.writeFloat(c.leakySlope());
        out.writeFloat(c.dropout());
        out.writeUTF(c.init() == null ? "" : c.init().name());
        out.writeLong(c.seed());
    }

    private static ModelConfig readConfig(DataInputStream in) throws IOException {
        String type = in.readUTF();
        int input = in.readInt();
        int layers = count(in.readInt(), 64, "hidden layers");
        List<Integer> hidden = new ArrayList<>();
        for (int i = 0; i < layers; i++) hidden.add(in.readInt());
        int classes = in.readInt();
        Activation act = Activation.valueOf(in.readUTF());
        float slope = in.readFloat();
        float dropout = in.readFloat();
        String init = in.readUTF();
        long seed = in.readLong();
        return new ModelConfig(type, input, hidden, classes, act, slope, dropout,
                init.isEmpty() ? null : Init.valueOf(init), seed);
    }

    private static void writeOptimizer(DataOutputStream out, OptimizerConfig o) throws IOException {
        out.writeUTF(o.name());
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
        return new OptimizerConfig(in.readUTF(), in.readFloat(), in.readFloat(), in.readBoolean(), in.readFloat(),
                in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat());
    }

    private static void writeTensors(DataOutputStream out, List<Tensor> tensors, List<String> names) throws IOException {
        out.writeInt(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            out.writeUTF(names.get(i));
            out.writeInt(t.rows());
            out.writeInt(t.cols());
            // one bulk copy, not a call per float: a snapshot is written on the trainer's thread
            ByteBuffer bytes = ByteBuffer.allocate(t.size() * Float.BYTES); // big-endian, as DataOutput writes
            bytes.asFloatBuffer().put(t.data(), 0, t.size());
            out.write(bytes.array());
        }
    }

    private static List<float[]> readTensors(DataInputStream in) throws IOException {
        int n = count(in.readInt(), 1024, "tensors");
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.readUTF();
            int rows = in.readInt(), cols = in.readInt();
            long size = (long) rows * cols;
            if (rows < 0 || cols < 0 || size > in.available() / 4) {
                throw new SnapshotException("tensor " + i + " claims shape (" + rows + ", " + cols + "), more than the data left");
            }
            float[] v = new float[(int) size];
            byte[] bytes = new byte[v.length * Float.BYTES];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
            out.add(v);
        }
        return out;
    }

    private static void load(List<Tensor> into, List<float[]> values, String what) {
        if (into.size() != values.size()) {
            throw new SnapshotException(what + ": snapshot has " + values.size() + " tensors, model has " + into.size());
        }
        for (int i = 0; i < into.size(); i++) {
            if (into.get(i).size() != values.get(i).length) {
                throw new SnapshotException(what + " " + i + ": snapshot has " + values.get(i).length
                        + " values, model needs " + into.get(i).size());
            }
            into.get(i).load(values.get(i));
        }
    }

    private static int count(int n, int max, String what) {
        if (n < 0 || n > max) {
            throw new SnapshotException("snapshot corrupt: " + n + " " + what);
        }
        return n;
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    private static SnapshotException wrap(Exception e) {
        if (e instanceof SnapshotException s) return s;
        if (e instanceof EOFException) return new SnapshotException("snapshot truncated", e);
        return new SnapshotException("snapshot unreadable: " + e.getMessage(), e);
    }

    /** A snapshot that cannot be loaded, with the reason. */
    public static final class SnapshotException extends RuntimeException {
        public SnapshotException(String message) {
            super(message);
        }

        public SnapshotException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
