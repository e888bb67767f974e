package io.mlpstream.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheBundledSample() throws IOException {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        assertEquals(10_000, images.count());
        assertEquals(28, images.rows());
        assertEquals(28, images.cols());
        int[] counts = new int[10];
        for (byte l : labels) counts[l]++;
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);
    }

    @Test
    void readsRawFilesToo() throws IOException {
        Path f = write("raw-images", idx(0x803, 2, 2, 2), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        IdxReader.Images images = IdxReader.readImages(f);
        assertEquals(2, images.count());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, images.pixels());
    }

    @Test
    void wrongMagic() throws IOException {
        Path f = write("labels-as-images", idx(0x801, 2), new byte[] {1, 2});
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("wrong magic number 0x00000801"), e.getMessage());
    }

    @Test
    void truncatedBody() throws IOException {
        Path f = write("short", idx(0x803, 3, 2, 2), new byte[] {1, 2, 3, 4, 5});
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path header = write("header", new byte[] {0, 0, 8, 3, 0, 0});
        e = assertThrows(IOException.class, () -> IdxReader.readImages(header));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void mismatchedCounts() throws IOException {
        Path images = write("images", idx(0x803, 2, 1, 1), new byte[] {1, 2});
        Path labels = write("labels", idx(0x801, 3), new byte[] {1, 2, 3});
        IdxReader.Images read = IdxReader.readImages(images);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(labels.toString(), read));
        assertTrue(e.getMessage().contains("mismatched counts: 2 images but 3 labels"), e.getMessage());
    }

    private static byte[] idx(int magic, int... dims) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        for (int d : dims) out.writeInt(d);
        return b.toByteArray();
    }

    private Path write(String name, byte[]... parts) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.write(p);
        return Files.write(dir.resolve(name), b.toByteArray());
    }
}
