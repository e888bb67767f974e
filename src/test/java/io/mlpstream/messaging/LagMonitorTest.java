package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Review finding 16: the lag metric, from the log ends, the processed offsets and the consumer's positions. */
class LagMonitorTest {
    private static final TopicPartition P0 = new TopicPartition("images", 0), P1 = new TopicPartition("images", 1);

    @Test
    void theLagIsWhatIsLeftAfterWhatWasProcessed() {
        // the consumer fetched ahead of the trainer (positions 90 and 50): what is polled but not processed is still to come
        assertEquals(10 + 5, LagMonitor.lag(Map.of(P0, 100L, P1, 50L), Map.of("images-0", 90L, "images-1", 45L),
                Map.of(P0, 100L, P1, 50L)));
    }

    @Test
    void aTopicRecreatedWhileTheServiceRunsHasItsRecordsCounted() {
        // 5,000 were processed of the old topic; the new one holds 300, and the consumer was reset to its beginning
        assertEquals(300, LagMonitor.lag(Map.of(P0, 300L), Map.of("images-0", 5000L), Map.of(P0, 0L)),
                "the processed offsets alone say 0 left");
    }

    @Test
    void aPartitionNotProcessedYetCountsWhole() {
        assertEquals(40, LagMonitor.lag(Map.of(P0, 40L), Map.of(), Map.of()));
    }
}
