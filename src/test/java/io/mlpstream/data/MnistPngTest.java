package io.mlpstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MnistPngTest {
    private static byte[] huge;

    /** A 4096x4096 PNG of a white "1" on black: it compresses to a few tens of KB. */
    @BeforeAll
    static void draw() throws Exception {
        BufferedImage image = new BufferedImage(4096, 4096, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(1900, 800, 300, 2500);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        huge = out.toByteArray();
    }

    @Test
    void aHugePngIsDecodedSubsampledInBoundedMemory() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        MnistPng.toMnist(huge, 4096, 1L << 24); // once, so that class loading is not counted
        long before = threads.getThreadAllocatedBytes(tid);
        byte[] digit = MnistPng.toMnist(huge, 4096, 1L << 24);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        System.out.printf("a %d-byte 4096x4096 PNG allocated %.1f MB to decode%n", huge.length, allocated / 1e6);
        // decoded whole, the image alone is 16 MB and its gray copy 64 MB
        assertTrue(allocated < 16_000_000, "allocated " + allocated + " bytes");
        int ink = 0;
        for (byte b : digit) if ((b & 0xFF) > 128) ink++;
        assertTrue(ink > 10 && ink < 200, "a stroke in the middle: " + ink + " inked pixels");
    }

    @Test
    void aPngOverThePixelLimitIsRefusedFromItsHeader() {
        var e = assertThrows(MnistPng.Refused.class, () -> MnistPng.toMnist(huge, 4096, 1_000_000));
        assertEquals(413, e.status);
        assertTrue(e.getMessage().contains("1000000 pixels"), e.getMessage());
    }
}
