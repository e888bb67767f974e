package io.mlpstream.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mlpstream.events.Json;
import io.mlpstream.service.PendingLabels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The pending-labels changelog, a compacted topic written in the same transactions as the outputs and input offsets
 * (key: the image id; value: what waits for it, or the outcome of its match; null: forgotten). Read back at start
 * into what the delayed-label join keeps (Kafka Streams' changelog-backed store, kept by hand: the join lives in
 * the pipeline).
 */
final class PendingLabelsChangelog {
    /** One changelog value: exactly one of the three is set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(PendingLabels.Image image, PendingLabels.EarlyLabel label, PendingLabels.Outcome outcome) {
        long time() {
            return image != null ? image.arrivedAt() : label != null ? label.arrivedAt() : outcome.at();
        }

        Object value() {
            return image != null ? image : label != null ? label : outcome;
        }
    }

    private PendingLabelsChangelog() {
    }

    /**
     * The newest entry of every id, oldest first: the store keeps each kind in time order. Call it after the outputs
     * have fenced an older instance (its open transaction aborted).
     */
    static List<Map.Entry<String, Object>> read(Map<String, Object> consumerProps, String topic) {
        Map<String, byte[]> stored = Checkpoints.newest(consumerProps, topic, Duration.ofSeconds(120));
        List<Map.Entry<String, Entry>> entries = new ArrayList<>();
        stored.forEach((id, bytes) -> entries.add(Map.entry(id, decode(bytes))));
        entries.sort(Comparator.comparingLong(e -> e.getValue().time()));
        return entries.stream().map(e -> Map.entry(e.getKey(), e.getValue().value())).toList();
    }

    static byte[] encode(Object entry) {
        Entry e = entry instanceof PendingLabels.Image i ? new Entry(i, null, null)
                : entry instanceof PendingLabels.EarlyLabel l ? new Entry(null, l, null)
                : new Entry(null, null, (PendingLabels.Outcome) entry);
        try {
            return Json.mapper().writeValueAsBytes(e);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private static Entry decode(byte[] bytes) {
        try {
            return Json.mapper().readValue(bytes, Entry.class);
        } catch (IOException x) {
            throw new IllegalStateException("An entry of the pending-labels changelog cannot be read: " + x.getMessage(), x);
        }
    }
}
