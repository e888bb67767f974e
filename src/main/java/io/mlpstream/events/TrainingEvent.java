package io.mlpstream.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A record of the training-events topic (key = model name): a drift warning or detection, a reset, a swap (the
 * background copy replaced the model), or a change
 * of the serving model (type "serving", with from and to). {@code examples}: the labeled examples the model had
 * been scored on when it happened, which says where in the stream.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingEvent(String model, String type, long step, long examples, String from, String to, long timestamp) {
    public static final String WARNING = "warning";
    public static final String DRIFT = "drift";
    public static final String RESET = "reset";
    public static final String SWAP = "swap";
    public static final String SERVING = "serving";

    public static TrainingEvent of(String model, String type, long step, long examples) {
        return new TrainingEvent(model, type, step, examples, null, null, System.currentTimeMillis());
    }
}
