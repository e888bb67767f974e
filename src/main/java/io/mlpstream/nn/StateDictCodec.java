package io.mlpstream.nn;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's state dict in binary: its architecture ({@link ModelConfig}) and its tensors by name, as
 * torch.save(model.state_dict()) holds. Big-endian, as DataOutputStream. The framing (magic, version,
 * checksum) and whatever else a checkpoint holds are the caller's.
 */
public final class StateDictCodec {
    private StateDictCodec() {
    }

    /** A named tensor as read back: the values, and the shape they claim. */
    public record Entry(String name, int rows, int cols, float[] values) {
    }

    public static void writeConfig(DataOutputStream out, ModelConfig c) throws IOException {
        out.writeUTF(c.type().label());
        out.writeInt(c.inputSize());
        out.writeInt(c.hidden().size());
        for (int h : c.hidden()) out.writeInt(h);
        out.writeInt(c.classes());
        out.writeUTF(c.activation().name());
        out.writeFloat(c.negativeSlope());
        out.writeFloat(c.dropout());
        out.writeUTF(c.init() == null ? "" : c.init().name());
        out.writeLong(c.seed());
    }

    public static ModelConfig readConfig(DataInputStream in) throws IOException {
        ModelType type = ModelType.parse(in.readUTF());
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

    public static void writeTensors(DataOutputStream out, List<Tensor> tensors, List<String> names) throws IOException {
        out.writeInt(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            out.writeUTF(names.get(i));
            out.writeInt(t.rows());
            out.writeInt(t.cols());
            // one bulk copy, not a call per float: a checkpoint is written on the trainer's thread
            ByteBuffer bytes = ByteBuffer.allocate(t.size() * Float.BYTES); // big-endian, as DataOutput writes
            bytes.asFloatBuffer().put(t.data(), 0, t.size());
            out.write(bytes.array());
        }
    }

    public static List<Entry> readTensors(DataInputStream in) throws IOException {
        int n = count(in.readInt(), 1024, "tensors");
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int rows = in.readInt(), cols = in.readInt();
            long size = (long) rows * cols;
            if (rows < 0 || cols < 0 || size > in.available() / 4) {
                throw new IOException("tensor " + i + " claims shape (" + rows + ", " + cols + "), more than the data left");
            }
            float[] v = new float[(int) size];
            byte[] bytes = new byte[v.length * Float.BYTES];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
            out.add(new Entry(name, rows, cols, v));
        }
        return out;
    }

    /** Copies read values into tensors of the same sizes, or says which one differs. */
    public static void load(List<Tensor> into, List<Entry> values, String what) {
        if (into.size() != values.size()) {
            throw new IllegalArgumentException(what + ": the snapshot has " + values.size() + " tensors, the model has " + into.size());
        }
        for (int i = 0; i < into.size(); i++) {
            if (into.get(i).size() != values.get(i).values().length) {
                throw new IllegalArgumentException(what + " " + i + ": the snapshot has " + values.get(i).values().length
                        + " values, the model needs " + into.get(i).size());
            }
        }
        for (int i = 0; i < into.size(); i++) {
            into.get(i).load(values.get(i).values());
        }
    }

    public static int count(int n, int max, String what) throws IOException {
        if (n < 0 || n > max) {
            throw new IOException("snapshot corrupt: " + n + " " + what);
        }
        return n;
    }
}
