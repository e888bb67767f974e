package io.mlpstream.streams;

import io.mlpstream.events.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Lets the first outcome of each (model, prediction id) through and drops the copies a restarted
 * service replays. The ids seen are kept in a changelogged window store, so they survive a restart
 * of the statistics too, and are forgotten after the retention period, so the store stays bounded.
 * A copy is the same input record predicted again: the same id and the same input timestamp (the
 * {@link Prediction#INPUT_TIMESTAMP} header). A new record that reuses an id (the default ids of a
 * recreated topic) is counted (review finding 6). A prediction that the service wrote exactly once (a header says so)
 * passes without the store when these statistics read committed records only (exactly_once_v2): a copy is written
 * only in a transaction that the next instance aborts (the exceptions, rare, are in docs/contracts.md, "Known
 * limits"). The serving model's copy of a prediction that is also on model-predictions (a header says so too) is
 * dropped here, its twin counted.
 */
class Deduplicate implements FixedKeyProcessor<String, Outcome, Outcome> {
    /** What an outcome without the input-timestamp header is remembered as: it matches any input. */
    private static final long ANY = Long.MIN_VALUE;
    private final String storeName;
    private final long retentionMs;
    private FixedKeyProcessorContext<String, Outcome> context;
    private WindowStore<String, Long> seen;
    private boolean readCommitted;

    Deduplicate(String storeName, Duration retention) {
        this.storeName = storeName;
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Outcome> context) {
        this.context = context;
        this.seen = context.getStateStore(storeName);
        // the mark is worth something only to a read_committed reader: at_least_once, Kafka Streams also reads the
        // records of aborted transactions, the copies a restarted service's successor aborted
        Object guarantee = context.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        this.readCommitted = String.valueOf(guarantee).startsWith("exactly_once");
    }

    @Override
    public void process(FixedKeyRecord<String, Outcome> record) {
        Headers headers = record.headers();
        if (headers.lastHeader(Prediction.COPY) != null) return; // counted through its twin in model-predictions
        if (readCommitted && headers.lastHeader(Prediction.EXACTLY_ONCE) != null) { // #24: the look for copies was most
            context.forward(record);                                                  // of the statistics' CPU
            return;
        }
        String key = record.value().model() + "/" + record.key();
        long t = record.timestamp();
        long input = inputTimestamp(record);
        try (WindowStoreIterator<Long> earlier = seen.fetch(key, t - retentionMs, t + retentionMs)) {
            while (earlier.hasNext()) {
                long other = earlier.next().value;
                if (other == input || other == ANY || input == ANY) return;
            }
        }
        seen.put(key, input, t);
        context.forward(record); // SumOutcomes sends sums of its own: no header reaches the repartition topic
    }

    /** The input record's timestamp; {@link #ANY} without the header (an older service): then the id alone counts. */
    private static long inputTimestamp(FixedKeyRecord<String, Outcome> record) {
        Header h = record.headers().lastHeader(Prediction.INPUT_TIMESTAMP);
        return h == null ? ANY : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
    }
}
