package io.mlpstream.data;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a PNG of any size into a 28x28 MNIST-style digit, the way MNIST itself was made: the digit's
 * bounding box is scaled into 20x20 keeping its aspect ratio, then placed in 28x28 so that its centre
 * of mass is at the centre. A dark digit on light paper is inverted first.
 */
public final class MnistPng {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** A 20x20 digit needs no more: larger PNGs are decoded subsampled, so memory stays ~1 MB whatever their size. */
    private static final int DECODE_SIDE = 512;

    /** Why a PNG was refused: 413 for a picture too large, 400 otherwise. */
    public static final class Refused extends Exception {
        public final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private MnistPng() {
    }

    public static byte[] toMnist(byte[] png, int maxSide, long maxPixels) throws Refused {
        long side = checkHeader(png, maxSide, maxPixels); // before decoding: a decompression bomb never reaches ImageIO
        BufferedImage image = decode(png, (int) Math.ceil(side / (double) DECODE_SIDE));
        float[][] ink = ink(image);
        return centre(ink);
    }

    /** Decodes every n-th row and column only (n = 1: all of them). */
    private static BufferedImage decode(byte[] png, int n) throws Refused {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in, true, true);
            ImageReadParam param = reader.getDefaultReadParam();
            if (n > 1) param.setSourceSubsampling(n, n, 0, 0);
            return reader.read(0, param);
        } catch (IOException | RuntimeException e) {
            throw new Refused(400, "not a readable PNG: " + e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    /** Checks the signature and the declared size; returns the longer side. */
    private static long checkHeader(byte[] png, int maxSide, long maxPixels) throws Refused {
        if (png == null || png.length < 24) throw new Refused(400, "not a PNG: too short");
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (png[i] != SIGNATURE[i]) throw new Refused(400, "not a PNG: wrong signature");
        }
        ByteBuffer b = ByteBuffer.wrap(png);
        if (b.getInt(12) != 0x49484452) throw new Refused(400, "not a PNG: IHDR missing"); // "IHDR"
        long width = Integer.toUnsignedLong(b.getInt(16)), height = Integer.toUnsignedLong(b.getInt(20));
        if (width == 0 || height == 0) throw new Refused(400, "PNG of zero size");
        if (width > maxSide || height > maxSide) {
            throw new Refused(413, "PNG of " + width + "x" + height + " exceeds the limit of " + maxSide + " pixels a side");
        }
        if (width * height > maxPixels) {
            throw new Refused(413, "PNG of " + width + "x" + height + " exceeds the limit of " + maxPixels + " pixels");
        }
        return Math.max(width, height);
    }

    /** Ink per pixel in 0..255 (255 = full stroke), transparent pixels as paper, dark-on-light inverted. */
    private static float[][] ink(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] pixels = image.getRGB(0, 0, w, h, null, 0, w); // one bulk read, not a call per pixel
        float[][] gray = new float[h][w];
        double border = 0;
        int borderCount = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = pixels[y * w + x];
                double a = (argb >>> 24) / 255.0;
                double lum = 0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF) + 0.114 * (argb & 0xFF);
                gray[y][x] = (float) (a * lum + (1 - a) * 255); // composite on white paper
                if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                    border += gray[y][x];
                    borderCount++;
                }
            }
        }
        boolean lightPaper = border / borderCount > 127;
        boolean transparentOnly = (pixels[0] >>> 24) == 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // MNIST is light ink on black: invert light paper; a transparent background counts as paper
                gray[y][x] = lightPaper || transparentOnly ? 255 - gray[y][x] : gray[y][x];
            }
        }
        return gray;
    }

    private static byte[] centre(float[][] ink) {
        int h = ink.length, w = ink[0].length;
        int top = h, bottom = -1, left = w, right = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y][x] > 40) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        byte[] out = new byte[28 * 28];
        if (bottom < 0) return out; // a blank page
        int bw = right - left + 1, bh = bottom - top + 1;
        double scale = 20.0 / Math.max(bw, bh);
        int sw = Math.max(1, (int) Math.round(bw * scale)), sh = Math.max(1, (int) Math.round(bh * scale));
        BufferedImage crop = new BufferedImage(bw, bh, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                int v = Math.max(0, Math.min(255, Math.round(ink[top + y][left + x])));
                crop.getRaster().setSample(x, y, 0, v);
            }
        }
        BufferedImage small = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(crop.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        double mass = 0, cx = 0, cy = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double v = small.getRaster().getSample(x, y, 0);
                mass += v;
                cx += v * x;
                cy += v * y;
            }
        }
        int ox = (int) Math.round(14 - (mass == 0 ? sw / 2.0 : cx / mass));
        int oy = (int) Math.round(14 - (mass == 0 ? sh / 2.0 : cy / mass));
        ox = Math.max(0, Math.min(28 - sw, ox));
        oy = Math.max(0, Math.min(28 - sh, oy));
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                out[(oy + y) * 28 + ox + x] = (byte) small.getRaster().getSample(x, y, 0);
            }
        }
        return out;
    }
}
