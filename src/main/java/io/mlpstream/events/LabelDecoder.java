package io.mlpstream.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Turns a labels-topic record into a {@link LabelEvent}, or says why not, as strictly as the image decoder:
 * a label of 2.5, "7" or -1 is refused. The id is the JSON's, or else the record's key.
 */
public final class LabelDecoder {
    /** Reasons of labels-dlq beside the decoder's own: why a valid label could not be used. */
    public static final String UNKNOWN_ID = "unknown-id";
    public static final String EXPIRED = "expired";
    public static final String DUPLICATE = "duplicate";
    public static final String CONFLICT = "conflict";
    /** Every dlq-reason of labels-dlq, so that counters can start at zero for each. */
    public static final List<String> REASONS = List.of(InvalidEvent.INVALID_JSON, InvalidEvent.BAD_LABEL, InvalidEvent.BAD_ID,
            UNKNOWN_ID, EXPIRED, DUPLICATE, CONFLICT);
    /**
     * An id of at most 256 characters and a class take under 300 bytes; an early label waits whole, in memory and in
     * the changelog, so a padded one is refused at once (review finding 12), and goes to labels-dlq whole.
     */
    private static final int MAX_BYTES = 1024;

    private final int classes;

    public LabelDecoder(int classes) {
        this.classes = classes;
    }

    public LabelEvent decode(String key, byte[] value) throws InvalidEvent {
        if (value == null || value.length == 0) throw new InvalidEvent(InvalidEvent.INVALID_JSON, "empty value");
        if (value.length > MAX_BYTES) {
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, value.length + " bytes is no label (at most " + MAX_BYTES + ")");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(value);
        } catch (Exception e) {
            String why = String.valueOf(e.getMessage());
            throw new InvalidEvent(InvalidEvent.INVALID_JSON, why.lines().findFirst().orElse(why));
        }
        if (root == null || !root.isObject()) throw new InvalidEvent(InvalidEvent.INVALID_JSON, "the value must be a JSON object");
        String id = id(root.get("id"), key);
        JsonNode n = root.get("label");
        if (n == null || n.isNull() || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || n.intValue() >= classes) {
            throw new InvalidEvent(InvalidEvent.BAD_LABEL, "label must be an integer in 0.." + (classes - 1) + ", got "
                    + (n == null ? "nothing" : abbreviate(n.toString())));
        }
        return new LabelEvent(id, n.intValue());
    }

    private static String id(JsonNode node, String key) throws InvalidEvent {
        if (node == null || node.isNull()) {
            if (key != null && !key.isEmpty() && key.length() <= 256) return key;
            throw new InvalidEvent(InvalidEvent.BAD_ID, "a label needs an id: in the JSON, or as the record's key");
        }
        if (node.isTextual() && !node.asText().isEmpty() && node.asText().length() <= 256) return node.asText();
        if (node.isIntegralNumber()) return node.asText();
        throw new InvalidEvent(InvalidEvent.BAD_ID, "id must be a non-empty string of at most 256 characters");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
