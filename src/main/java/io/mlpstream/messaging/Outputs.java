package io.mlpstream.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Json;
import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingMetrics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * The three output topics: predictions, training-metrics and images-dlq. Each send reports back
 * when the broker acknowledged it (or failed), so that input offsets are committed only after their
 * outputs are safe. At most {@link #MAX_IN_FLIGHT} outputs wait for the broker: beyond that the
 * training thread blocks, which is the backpressure.
 */
@ApplicationScoped
public class Outputs {
    static final int MAX_IN_FLIGHT = 8192;

    @Inject
    @Channel("predictions")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = MAX_IN_FLIGHT + 64)
    Emitter<String> predictions;

    @Inject
    @Channel("training-metrics")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = MAX_IN_FLIGHT + 64)
    Emitter<String> metrics;

    @Inject
    @Channel("images-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = MAX_IN_FLIGHT + 64)
    Emitter<byte[]> deadLetters;

    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    public void prediction(Prediction p, Runnable onAck, Consumer<Throwable> onNack) {
        send(predictions, p.id(), json(p), null, onAck, onNack);
    }

    public void metrics(String model, TrainingMetrics m) {
        send(metrics, model, json(m), null, () -> { }, e -> { });
    }

    /** The original bytes and key, with the reason in the dlq-reason and dlq-detail headers. */
    public void deadLetter(String key, byte[] value, InvalidEvent why, String source, Runnable onAck, Consumer<Throwable> onNack) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dlq-reason", why.reason().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-detail", why.detail().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-source", source.getBytes(StandardCharsets.UTF_8));
        send(deadLetters, key, value == null ? new byte[0] : value, headers, onAck, onNack);
    }

    private <T> void send(Emitter<T> emitter, String key, T value, RecordHeaders headers, Runnable onAck,
                          Consumer<Throwable> onNack) {
        inFlight.acquireUninterruptibly();
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> meta =
                OutgoingKafkaRecordMetadata.<String>builder().withKey(key);
        if (headers != null) meta = meta.withHeaders(headers);
        Message<T> message = Message.of(value)
                .addMetadata(meta.build())
                .withAck(() -> {
                    inFlight.release();
                    onAck.run();
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    inFlight.release();
                    onNack.accept(e);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
    }

    private static String json(Object o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
