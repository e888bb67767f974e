package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The processor that sums outcomes between sends, on Kafka Streams' mock context: its store and its punctuation. */
class SumOutcomesTest {
    static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    final MockProcessorContext<String, ConfusionMatrix> context = new MockProcessorContext<>();
    final KeyValueStore<String, ConfusionMatrix> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pending"),
            Serdes.String(), StatsSerdes.confusionMatrix()).withLoggingDisabled().build();
    final SumOutcomes sums = new SumOutcomes("pending", 10, List.of(TEN_SECONDS, Duration.ofMinutes(1)), Duration.ofMillis(100));

    SumOutcomesTest() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @Test
    void sumsPerModelAndSlotGoOnAtThePunctuationStampedWithTheSlotsStart() {
        sums.init(context);
        sums.process(new Record<>("img-1", new Outcome("a", 1, 1), 1_000L));
        sums.process(new Record<>("img-2", new Outcome("a", 1, 2), 9_999L));
        sums.process(new Record<>("img-3", new Outcome("a", 3, 3), 10_000L)); // the next slot
        sums.process(new Record<>("img-4", new Outcome("b", 3, 3), 5_000L));
        assertEquals(3, count(store)); // what a commit now would keep
        punctuate();
        List<String> sent = context.forwarded().stream()
                .map(f -> f.record().key() + "@" + f.record().timestamp() + "=" + f.record().value().total() + "/"
                        + f.record().value().correct()).sorted().toList();
        assertEquals(List.of("a@0=2/1", "a@10000=1/1", "b@0=1/1"), sent);
        assertEquals(0, count(store)); // sent: nothing left for a commit to keep
    }

    /**
     * Under exactly-once a corrupted task is revived in place: the same processor is initialized again, on its store
     * restored to the last commit. What it summed since is input that will be read again; kept, it would be counted
     * twice (2 instead of 1 below, before init forgot it).
     */
    @Test
    void aProcessorInitializedAgainStartsFromItsStoreAlone() {
        sums.init(context);
        sums.process(new Record<>("img-1", new Outcome("a", 1, 1), 1_000L)); // committed: in the store's changelog
        sums.process(new Record<>("img-2", new Outcome("a", 2, 2), 12_000L)); // not committed
        store.delete("a@10000"); // the store as restored: only what the last commit kept
        context.resetForwards();
        sums.init(context);
        punctuate();
        assertEquals(1, context.forwarded().stream().mapToLong(f -> f.record().value().total()).sum());
    }

    @Test
    void aSlotDividesEveryWindowSize() {
        assertEquals(10_000, SumOutcomes.slot(List.of(TEN_SECONDS, Duration.ofMinutes(1), Duration.ofHours(1))));
        assertEquals(5_000, SumOutcomes.slot(List.of(TEN_SECONDS, Duration.ofSeconds(15))));
        assertEquals(60_000, SumOutcomes.slot(List.of())); // no windows: any slot will do for the confusion matrix
    }

    private void punctuate() {
        List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
        scheduled.get(scheduled.size() - 1).getPunctuator().punctuate(0);
    }

    private static int count(KeyValueStore<String, ConfusionMatrix> store) {
        int n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
