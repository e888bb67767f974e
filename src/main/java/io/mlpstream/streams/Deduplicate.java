package io.mlpstream.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Lets the first outcome of each (model, prediction id) through and drops the copies a restarted
 * service replays. The ids seen are kept in a changelogged window store, so they survive a restart
 * of the statistics too, and are forgotten after the retention period, so the store stays bounded.
 */
class Deduplicate implements FixedKeyProcessor<String, Outcome, Outcome> {
    private final String storeName;
    private final long retentionMs;
    private FixedKeyProcessorContext<String, Outcome> context;
    private WindowStore<String, Long> seen;

    Deduplicate(String storeName, Duration retention) {
        this.storeName = storeName;
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Outcome> context) {
        this.context = context;
        this.seen = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, Outcome> record) {
        String key = record.value().model() + "/" + record.key();
        long t = record.timestamp();
        try (WindowStoreIterator<Long> earlier = seen.fetch(key, t - retentionMs, t + retentionMs)) {
            if (earlier.hasNext()) return;
        }
        seen.put(key, t, t);
        context.forward(record);
    }
}
