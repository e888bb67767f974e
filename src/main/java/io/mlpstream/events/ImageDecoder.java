package io.mlpstream.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;

/**
 * Turns the bytes of a record into an {@link ImageEvent}, or says exactly why not. Strict on
 * purpose: a label of 2.5, "7" or -1 is refused, not coerced.
 */
public final class ImageDecoder {
    private final ObjectMapper json = Json.mapper();
    private final int inputSize;
    private final int classes;
    private final int maxRecordBytes;
    private final int maxImageSide;

    public ImageDecoder(int inputSize, int classes, int maxRecordBytes, int maxImageSide) {
        this.inputSize = inputSize;
        this.classes = classes;
        this.maxRecordBytes = maxRecordBytes;
        this.maxImageSide = maxImageSide;
    }

    public ImageEvent decode(byte[] value) throws InvalidEvent {
        return decode(value, true);
    }

    /** For a prediction request: the same checks, except that any label is ignored. */
    public ImageEvent decodeIgnoringLabel(byte[] value) throws InvalidEvent {
        return decode(value, false);
    }

    private ImageEvent decode(byte[] value, boolean readLabel) throws InvalidEvent {
        if (value == null || value.length == 0) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, "empty value");
        }
        if (value.length > maxRecordBytes) {
            throw new InvalidEvent(InvalidEvent.TOO_LARGE, value.length + " bytes, the limit is " + maxRecordBytes);
        }
        JsonNode root;
        try {
            root = json.readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, firstLine(e.getOriginalMessage()));
        } catch (Exception e) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, firstLine(String.valueOf(e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, "the value must be a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        String id = id(root.get("id"));
        int width = side(root, "width");
        int height = side(root, "height");
        if ((long) width * height != inputSize) {
            throw new InvalidEvent(InvalidEvent.SIZE_MISMATCH, width + "x" + height + " is " + (long) width * height
                    + " pixels, the model takes " + inputSize);
        }
        Integer label = readLabel ? label(root.get("label")) : null;
        byte[] pixels = pixels(root.get("pixels"), width * height);
        return new ImageEvent(id, label, width, height, pixels);
    }

    private static String id(JsonNode node) throws InvalidEvent {
        if (node == null || node.isNull()) return null;
        if (node.isTextual() && !node.asText().isEmpty() && node.asText().length() <= 256) return node.asText();
        if (node.isIntegralNumber()) return node.asText();
        throw new InvalidEvent(InvalidEvent.BAD_ID, "id must be a non-empty string of at most 256 characters");
    }

    private int side(JsonNode root, String field) throws InvalidEvent {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidEvent(InvalidEvent.MISSING_FIELD, "missing field: " + field);
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw new InvalidEvent(InvalidEvent.SIZE_MISMATCH, field + " must be a positive integer, got " + abbreviate(n));
        }
        if (n.intValue() > maxImageSide) {
            throw new InvalidEvent(InvalidEvent.TOO_LARGE, field + " " + n.intValue() + " exceeds the limit of " + maxImageSide);
        }
        return n.intValue();
    }

    private Integer label(JsonNode n) throws InvalidEvent {
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || n.intValue() >= classes) {
            throw new InvalidEvent(InvalidEvent.BAD_LABEL, "label must be an integer in 0.." + (classes - 1)
                    + " or null, got " + abbreviate(n));
        }
        return n.intValue();
    }

    private static byte[] pixels(JsonNode n, int expected) throws InvalidEvent {
        if (n == null || n.isNull()) {
            throw new InvalidEvent(InvalidEvent.MISSING_FIELD, "missing field: pixels");
        }
        byte[] pixels;
        if (n.isTextual()) {
            try {
                pixels = Base64.getDecoder().decode(n.textValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels is not valid base64: " + e.getMessage());
            }
        } else if (n.isArray()) {
            if (n.size() != expected) {
                throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels has " + n.size() + " values, expected " + expected);
            }
            pixels = new byte[expected];
            for (int i = 0; i < expected; i++) {
                JsonNode v = n.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 255) {
                    throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels[" + i + "] must be an integer in 0..255, got " + abbreviate(v));
                }
                pixels[i] = (byte) v.intValue();
            }
            return pixels;
        } else {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels must be a base64 string or an array of integers");
        }
        if (pixels.length != expected) {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels decodes to " + pixels.length + " bytes, expected " + expected);
        }
        return pixels;
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
