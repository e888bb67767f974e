package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class StatsSerdesTest {

    static <T> T roundTrip(Serde<T> serde, T value) {
        byte[] bytes = serde.serializer().serialize("t", value);
        return serde.deserializer().deserialize("t", bytes);
    }

    @Test
    void outcomesKeepModelLabelAndPrediction() {
        Outcome o = new Outcome("mnist-mlp-ü", 7, 3);
        assertEquals(o, roundTrip(StatsSerdes.outcome(), o));
    }

    @Test
    void confusionMatricesKeepEveryCount() {
        Random random = new Random(1);
        ConfusionMatrix m = ConfusionMatrix.empty(10);
        for (int i = 0; i < 1000; i++) m = m.add(random.nextInt(10), random.nextInt(10));
        m = m.add(11, 2); // grown to 12 classes
        ConfusionMatrix back = roundTrip(StatsSerdes.confusionMatrix(), m);
        assertEquals(12, back.classes());
        for (int label = 0; label < 12; label++) assertArrayEquals(m.counts()[label], back.counts()[label]);
        assertEquals(1001, back.total());
    }

    @Test
    void sumsOfOutcomesKeepEveryCountAndAnEarlierVersionsOutcomeReadsAsOne() {
        ConfusionMatrix m = ConfusionMatrix.empty(10).add(3, 3).add(3, 3).add(4, 1);
        ConfusionMatrix back = roundTrip(StatsSerdes.sums(10), m);
        assertEquals(3, back.total());
        assertEquals(2, back.correct());
        // what an earlier version wrote to the repartition topic, waiting there across an upgrade
        byte[] old = StatsSerdes.outcome().serializer().serialize("t", new Outcome("a", 7, 2));
        ConfusionMatrix one = StatsSerdes.sums(10).deserializer().deserialize("t", old);
        assertEquals(10, one.classes());
        assertEquals(1, one.total());
        assertEquals(1, one.counts()[7][2]);
        byte[] json = "{\"model\":\"a\",\"label\":3,\"predicted\":3}".getBytes(StandardCharsets.UTF_8); // older still
        assertEquals(1, StatsSerdes.sums(10).deserializer().deserialize("t", json).counts()[3][3]);
    }

    @Test
    void windowAccuracyKeepsBothCounts() {
        WindowAccuracy a = new WindowAccuracy(40, 50);
        assertEquals(a, roundTrip(StatsSerdes.windowAccuracy(), a));
    }

    @Test
    void readsTheJsonThatEarlierVersionsWrote() {
        byte[] json = "{\"counts\":[[1,2],[3,4]]}".getBytes(StandardCharsets.UTF_8);
        ConfusionMatrix m = StatsSerdes.confusionMatrix().deserializer().deserialize("t", json);
        assertArrayEquals(new long[] {3, 4}, m.counts()[1]);
        byte[] window = "{\"correct\":2,\"total\":5}".getBytes(StandardCharsets.UTF_8);
        assertEquals(new WindowAccuracy(2, 5), StatsSerdes.windowAccuracy().deserializer().deserialize("t", window));
    }

    @Test
    void nullsPassAndUnknownFormatsAreRefused() {
        assertNull(StatsSerdes.outcome().serializer().serialize("t", null));
        assertNull(StatsSerdes.outcome().deserializer().deserialize("t", null));
        var e = assertThrows(IllegalArgumentException.class,
                () -> StatsSerdes.windowAccuracy().deserializer().deserialize("t", new byte[] {9, 0, 0}));
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
    }
}
