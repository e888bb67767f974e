package io.mlpstream.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Turns the bytes of a record into an {@link ImageEvent}, or says exactly why not. Strict on
 * purpose: a label of 2.5, "7" or -1 is refused, not coerced.
 */
public final class ImageDecoder {
    private final ObjectMapper json = Json.mapper();
    private final ObjectReader fieldReader = json.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
        Fields f;
        try {
            f = read(value);
        } catch (JsonProcessingException e) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, firstLine(e.getOriginalMessage()));
        } catch (InvalidEvent e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, firstLine(String.valueOf(e.getMessage())));
        }
        String id = id(f.id);
        int width = side(f.width, "width");
        int height = side(f.height, "height");
        if ((long) width * height != inputSize) {
            throw new InvalidEvent(InvalidEvent.SIZE_MISMATCH, width + "x" + height + " is " + (long) width * height
                    + " pixels, the model takes " + inputSize);
        }
        Integer label = readLabel ? label(f.label) : null;
        byte[] pixels = f.base64Length >= 0 ? base64(ByteBuffer.wrap(value, f.base64Start, f.base64Length), width * height) : pixels(f.pixels, width * height);
        return new ImageEvent(id, label, width, height, pixels);
    }

    /**
     * The fields of an image event, read with a streaming parser: no tree per record, and the pixels' base64 text is
     * only located in the record's bytes (decoded from there, not copied into a String first).
     */
    private static final class Fields {
        JsonNode id, width, height, label, pixels;
        int base64Start, base64Length = -1;
    }

    private Fields read(byte[] value) throws IOException, InvalidEvent {
        Fields f = new Fields();
        try (JsonParser p = json.createParser(value)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidEvent(InvalidEvent.INVALID_JSON, "the value must be a JSON object, got " + kind(first));
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "id" -> f.id = tree(p);
                    case "width" -> f.width = tree(p);
                    case "height" -> f.height = tree(p);
                    case "label" -> f.label = tree(p);
                    case "pixels" -> { // once at most: the parser refuses a duplicate field
                        if (v != JsonToken.VALUE_STRING || !locate(f, value, p)) f.pixels = tree(p);
                    }
                    default -> p.skipChildren();
                }
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new InvalidEvent(InvalidEvent.INVALID_JSON, "trailing token " + trailing + " after the JSON object");
            }
        }
        return f;
    }

    /** One field's value as a small tree, for the checks below (a value, not the document: nothing may follow it yet). */
    private JsonNode tree(JsonParser p) throws IOException {
        var nodes = JsonNodeFactory.instance;
        return switch (p.currentToken()) { // scalars made directly: a reader per field costs more than the tree it saves
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> nodes.numberNode(p.getIntValue());
                case LONG -> nodes.numberNode(p.getLongValue());
                default -> nodes.numberNode(p.getBigIntegerValue());
            };
            case VALUE_STRING -> nodes.textNode(p.getText());
            case VALUE_NULL -> nodes.nullNode();
            case VALUE_TRUE, VALUE_FALSE -> nodes.booleanNode(p.getBooleanValue());
            default -> fieldReader.readTree(p);
        };
    }

    /** The base64 text's place in the record, when it has no escapes (base64 needs none); else false. */
    private static boolean locate(Fields f, byte[] value, JsonParser p) {
        long quote = p.currentTokenLocation().getByteOffset();
        if (quote < 0 || quote >= value.length || value[(int) quote] != '"') return false;
        int start = (int) quote + 1;
        for (int i = start; i < value.length; i++) {
            if (value[i] == '\\') return false;
            if (value[i] == '"') {
                f.base64Start = start;
                f.base64Length = i - start;
                return true;
            }
        }
        return false;
    }

    private static String kind(JsonToken t) {
        if (t == null) return "nothing";
        return switch (t) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.toString().toLowerCase();
        };
    }

    /** Base64 text decoded into exactly {@code expected} pixels, or bad-pixels. */
    private static byte[] base64(ByteBuffer text, int expected) throws InvalidEvent {
        ByteBuffer decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels is not valid base64: " + e.getMessage());
        }
        if (decoded.remaining() != expected) {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels decodes to " + decoded.remaining() + " bytes, expected " + expected);
        }
        return decoded.remaining() == decoded.array().length ? decoded.array()
                : Arrays.copyOfRange(decoded.array(), decoded.position(), decoded.limit());
    }

    private static String id(JsonNode node) throws InvalidEvent {
        if (node == null || node.isNull()) return null;
        if (node.isTextual() && !node.asText().isEmpty() && node.asText().length() <= 256) return node.asText();
        if (node.isIntegralNumber()) return node.asText();
        throw new InvalidEvent(InvalidEvent.BAD_ID, "id must be a non-empty string of at most 256 characters");
    }

    private int side(JsonNode n, String field) throws InvalidEvent {
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
        if (n.isTextual()) { // escaped (the located text has none): decoded from the parser's string
            return base64(StandardCharsets.ISO_8859_1.encode(n.textValue()), expected);
        }
        if (!n.isArray()) {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels must be a base64 string or an array of integers");
        }
        if (n.size() != expected) {
            throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels has " + n.size() + " values, expected " + expected);
        }
        byte[] pixels = new byte[expected];
        for (int i = 0; i < expected; i++) {
            JsonNode v = n.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 255) {
                throw new InvalidEvent(InvalidEvent.BAD_PIXELS, "pixels[" + i + "] must be an integer in 0..255, got " + abbreviate(v));
            }
            pixels[i] = (byte) v.intValue();
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
