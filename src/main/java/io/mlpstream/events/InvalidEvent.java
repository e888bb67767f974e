package io.mlpstream.events;

import java.util.List;

/**
 * Why a record was refused. {@code reason} is a stable code, for the dlq-reason header and the
 * metric label; {@code detail} is for humans.
 */
public final class InvalidEvent extends Exception {
    public static final String INVALID_JSON = "invalid-json";
    public static final String MISSING_FIELD = "missing-field";
    public static final String BAD_LABEL = "bad-label";
    public static final String BAD_PIXELS = "bad-pixels";
    public static final String BAD_ID = "bad-id";
    public static final String SIZE_MISMATCH = "size-mismatch";
    public static final String TOO_LARGE = "too-large";
    /** Every reason code, so that counters can start at zero for each. */
    public static final List<String> REASONS =
            List.of(INVALID_JSON, MISSING_FIELD, BAD_LABEL, BAD_PIXELS, BAD_ID, SIZE_MISMATCH, TOO_LARGE);

    private final String reason;

    public InvalidEvent(String reason, String detail) {
        super(detail, null, false, false); // no stack trace: this is data, not a bug
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
