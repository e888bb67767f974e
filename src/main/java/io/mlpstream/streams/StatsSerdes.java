package io.mlpstream.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.kafka.client.serialization.ObjectMapperSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary serdes for what the labeled predictions pass through: the repartition topic (sums of outcomes, a
 * {@link ConfusionMatrix}) and the aggregates' caches and stores (a {@link ConfusionMatrix}, a
 * {@link WindowAccuracy} per window size). When every prediction passed through them, JSON here cost the
 * statistics 91 microseconds of CPU per prediction, these 61 (CHANGELOG.md).
 * <p>
 * Each value starts with a format byte. State written by earlier versions, as JSON, still reads.
 * What is written only once per commit (the per-class metrics) stays JSON, through {@link #json}.
 */
final class StatsSerdes {
    private static final byte FORMAT = 1;
    /** The format of the sums of outcomes, which replaced single outcomes in the repartition topic. */
    private static final byte SUMS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatsSerdes() {
    }

    /** format, label, predicted, then the model name in UTF-8. */
    static Serde<Outcome> outcome() {
        return serde(Outcome.class, o -> {
            byte[] model = o.model().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + 8 + model.length).put(FORMAT).putInt(o.label()).putInt(o.predicted())
                    .put(model).array();
        }, b -> {
            int label = b.getInt(), predicted = b.getInt();
            return new Outcome(new String(b.array(), b.position(), b.remaining(), StandardCharsets.UTF_8), label, predicted);
        });
    }

    /** format, classes, then the counts row by row (label major), little-endian: bulk copies, no byte swaps. */
    static Serde<ConfusionMatrix> confusionMatrix() {
        return serde(ConfusionMatrix.class, m -> write(FORMAT, m), StatsSerdes::readMatrix);
    }

    /**
     * The repartition topic's sums of outcomes ({@link SumOutcomes}): a confusion matrix under format 2. A record that
     * an earlier version wrote there, one {@link #outcome} (format 1), reads as the sums of that one outcome, so that
     * what waits in the topic across an upgrade is counted.
     */
    static Serde<ConfusionMatrix> sums(int classes) {
        Deserializer<Outcome> outcomes = outcome().deserializer();
        return Serdes.serdeFrom((topic, m) -> m == null ? null : write(SUMS, m), (topic, bytes) -> {
            if (bytes == null) return null;
            if (bytes.length > 0 && (bytes[0] == FORMAT || bytes[0] == '{')) { // binary or, older still, JSON
                Outcome o = outcomes.deserialize(topic, bytes);
                return ConfusionMatrix.empty(classes).add(o.label(), o.predicted());
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte format = b.get();
            if (format != SUMS) throw new IllegalArgumentException("unknown sums of outcomes format " + format);
            return readMatrix(b);
        });
    }

    private static byte[] write(byte format, ConfusionMatrix m) {
        int n = m.classes();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 * n * n).put(format).putInt(n);
        LongBuffer counts = b.slice().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        for (long[] row : m.counts()) counts.put(row);
        return b.array();
    }

    private static ConfusionMatrix readMatrix(ByteBuffer b) {
        int n = b.getInt();
        long[][] counts = new long[n][n];
        LongBuffer in = b.slice().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        for (long[] row : counts) in.get(row);
        return new ConfusionMatrix(counts);
    }

    /** JSON, for what is written only when the cache flushes, once per commit and model. */
    static <T> Serde<T> json(Class<T> type) {
        return new ObjectMapperSerde<>(type, JSON);
    }

    /** format, correct, total. */
    static Serde<WindowAccuracy> windowAccuracy() {
        return serde(WindowAccuracy.class, a -> ByteBuffer.allocate(1 + 16).put(FORMAT).putLong(a.correct())
                .putLong(a.total()).array(), b -> new WindowAccuracy(b.getLong(), b.getLong()));
    }

    private static <T> Serde<T> serde(Class<T> type, Function<T, byte[]> write, Function<ByteBuffer, T> read) {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : write.apply(value), (topic, bytes) -> {
            if (bytes == null) return null;
            if (bytes.length > 0 && bytes[0] == '{') return fromJson(bytes, type); // written by an earlier version
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte format = b.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown " + type.getSimpleName() + " format " + format);
            }
            return read.apply(b);
        });
    }

    private static <T> T fromJson(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
