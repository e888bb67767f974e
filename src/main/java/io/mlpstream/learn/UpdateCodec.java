package io.mlpstream.learn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ModelUpdate} as bytes, the value of a model-updates record: a format number, the shard, its base version,
 * its example count, then each parameter's delta as a length and big-endian floats.
 */
public final class UpdateCodec {
    public static final int FORMAT_VERSION = 1;

    private UpdateCodec() {
    }

    public static byte[] encode(ModelUpdate u) {
        int floats = u.delta().stream().mapToInt(d -> d.length).sum();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * (floats + u.delta().size()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(u.shard());
            out.writeLong(u.base());
            out.writeLong(u.examples());
            out.writeInt(u.delta().size());
            for (float[] d : u.delta()) {
                out.writeInt(d.length);
                ByteBuffer b = ByteBuffer.allocate(4 * d.length);
                b.asFloatBuffer().put(d);
                out.write(b.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException when the bytes are not an update of this format */
    public static ModelUpdate decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int format = in.readInt();
            if (format != FORMAT_VERSION) throw new IllegalArgumentException("an update of format " + format + ", not " + FORMAT_VERSION);
            String shard = in.readUTF();
            long base = in.readLong();
            long examples = in.readLong();
            int parameters = in.readInt();
            List<float[]> delta = new ArrayList<>(parameters);
            for (int p = 0; p < parameters; p++) {
                int n = in.readInt();
                byte[] raw = in.readNBytes(4 * n);
                if (raw.length != 4 * n) throw new IllegalArgumentException("a truncated update");
                float[] d = new float[n];
                ByteBuffer.wrap(raw).asFloatBuffer().get(d);
                delta.add(d);
            }
            return new ModelUpdate(shard, base, delta, examples);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a model update: " + e.getMessage(), e);
        }
    }
}
