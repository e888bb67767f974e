package io.mlpstream.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (gzipped or raw): idx3 for images (magic 0x803),
 * idx1 for labels (magic 0x801). Big-endian header: magic, count, then rows and columns for images.
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** count images of rows*cols unsigned bytes, row-major, one after the other. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        public int size() {
            return rows * cols;
        }
    }

    private IdxReader() {
    }

    /** The 10,000 MNIST digits bundled with the project (see the README for credits). */
    public static final String SAMPLE_IMAGES = "classpath:mnist/mnist-10k-images-idx3-ubyte.gz";
    public static final String SAMPLE_LABELS = "classpath:mnist/mnist-10k-labels-idx1-ubyte.gz";

    public static Images readImages(Path file) throws IOException {
        return readImages(file.toString());
    }

    public static byte[] readLabels(Path file) throws IOException {
        return readLabels(file.toString());
    }

    /** A file path, or "classpath:..." for a bundled resource. */
    public static Images readImages(String file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(in.readInt(), IMAGES_MAGIC, file, "idx3 images");
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": implausible header: " + count + " images of " + rows + "x" + cols);
            }
            return new Images(count, rows, cols, readBody(in, count * rows * cols, file, count + " images"));
        } catch (EOFException e) {
            throw new IOException(file + ": truncated header", e);
        }
    }

    public static byte[] readLabels(String file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(in.readInt(), LABELS_MAGIC, file, "idx1 labels");
            int count = in.readInt();
            if (count < 0) throw new IOException(file + ": negative label count " + count);
            return readBody(in, count, file, count + " labels");
        } catch (EOFException e) {
            throw new IOException(file + ": truncated header", e);
        }
    }

    /** Both files, checked to describe the same number of examples. */
    public static byte[] readLabels(String file, Images images) throws IOException {
        byte[] labels = readLabels(file);
        if (labels.length != images.count()) {
            throw new IOException("mismatched counts: " + images.count() + " images but " + labels.length + " labels in " + file);
        }
        return labels;
    }

    private static DataInputStream open(String file) throws IOException {
        InputStream stream;
        if (file.startsWith("classpath:")) {
            stream = IdxReader.class.getClassLoader().getResourceAsStream(file.substring("classpath:".length()));
            if (stream == null) throw new IOException(file + ": no such resource");
        } else {
            stream = Files.newInputStream(Path.of(file));
        }
        InputStream raw = new BufferedInputStream(stream, 1 << 16);
        raw.mark(2);
        int b1 = raw.read(), b2 = raw.read();
        raw.reset();
        boolean gzip = b1 == 0x1f && b2 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw);
    }

    private static void checkMagic(int magic, int expected, String file, String kind) throws IOException {
        if (magic != expected) {
            throw new IOException(String.format("%s: wrong magic number 0x%08X, expected 0x%08X (%s)", file, magic, expected, kind));
        }
    }

    private static byte[] readBody(DataInputStream in, int n, String file, String what) throws IOException {
        byte[] body = in.readNBytes(n);
        if (body.length != n) {
            throw new IOException(file + ": truncated: header promises " + what + " (" + n + " bytes), found " + body.length);
        }
        return body;
    }
}
