package io.mlpstream.pipeline;

import io.mlpstream.events.LateExample;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a row of a chunk came from, and its route ({@link Positions#route}): an image record, or a label record that
 * completed a waiting image ({@code late}).
 */
record Source(String id, Integer label, long timestamp, TopicPartition partition, long offset, Route route, byte[] pixels,
              int width, LateExample late) {
    /** A label that completed a waiting image: learned, scored by the predictions made on arrival, not published. */
    boolean isLate() {
        return late != null;
    }
}
