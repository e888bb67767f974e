package io.mlpstream.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sums each model's outcomes per time slot and sends the sums on, keyed by model, every {@link #EVERY}: the
 * repartition by model and the aggregates behind it then run once per model and slot, not once per prediction
 * (#24: they were half of the statistics' CPU). The sums wait in a logged, cached store, so that a commit between
 * two sends keeps them: its cache writes the store's changelog once per key and commit, in the commit's transaction,
 * and a restarted task reads them back. A slot lies within one window of every size (its length divides them all),
 * so the sums, stamped with the slot's start, fall in the windows of the predictions they count.
 */
final class SumOutcomes implements Processor<String, Outcome, String, ConfusionMatrix> {
    /**
     * How often the sums go on. Downstream reads them when their transaction commits (every second): short against
     * that, so that a prediction's sums go out in the commit after it rather than the one after that.
     */
    static final Duration EVERY = Duration.ofMillis(100);
    /** A slot when no window is configured: the confusion matrix alone does not care about time. */
    private static final long NO_WINDOWS_SLOT_MS = Duration.ofMinutes(1).toMillis();

    private final String storeName;
    private final int classes;
    private final long slotMs;
    private final Duration every;
    /** The store's content, as objects: the store is only written while the task runs, and read back at its start. */
    private final Map<String, ConfusionMatrix> pending = new HashMap<>();
    private ProcessorContext<String, ConfusionMatrix> context;
    private KeyValueStore<String, ConfusionMatrix> store;

    SumOutcomes(String storeName, int classes, List<Duration> windows, Duration every) {
        this.storeName = storeName;
        this.every = every;
        this.classes = classes;
        this.slotMs = slot(windows);
    }

    /** The longest slot that divides every window size: their greatest common divisor, in milliseconds. */
    static long slot(List<Duration> windows) {
        long g = 0;
        for (Duration w : windows) g = gcd(g, w.toMillis());
        return g > 0 ? g : NO_WINDOWS_SLOT_MS;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public void init(ProcessorContext<String, ConfusionMatrix> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        // A task corrupted under exactly-once (a send that timed out) is revived in place: this processor is initialized
        // again, on the store restored to the last commit. What it summed since then is input to be read again.
        pending.clear();
        try (KeyValueIterator<String, ConfusionMatrix> kept = store.all()) { // sums a commit kept before a restart
            kept.forEachRemaining(kv -> pending.put(kv.key, kv.value));
        }
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> send());
    }

    @Override
    public void process(Record<String, Outcome> record) {
        Outcome o = record.value();
        String key = o.model() + "@" + Math.floorDiv(record.timestamp(), slotMs) * slotMs;
        ConfusionMatrix sums = pending.computeIfAbsent(key, k -> ConfusionMatrix.empty(classes)).add(o.label(), o.predicted());
        pending.put(key, sums); // add grows a copy for a label beyond the matrix
        store.put(key, sums);
    }

    private void send() {
        for (Map.Entry<String, ConfusionMatrix> e : pending.entrySet()) {
            int at = e.getKey().lastIndexOf('@'); // after the model's name, whatever it holds
            long slotStart = Long.parseLong(e.getKey().substring(at + 1));
            context.forward(new Record<>(e.getKey().substring(0, at), e.getValue(), slotStart));
            store.put(e.getKey(), null); // a tombstone, as delete writes, without reading the old value back
        }
        pending.clear();
    }
}
