package io.mlpstream.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Json;
import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingMetrics;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * The three output topics: predictions, training-metrics and images-dlq. They are ordinary
 * SmallRye channels (configured under mp.messaging.outgoing.*), but records go straight to each
 * channel's Kafka producer: one send per record, with a callback when the broker acknowledged it,
 * and the producer's own bounded buffer as backpressure. (Going through an Emitter cost about
 * 190 microseconds of hand-offs per record, which capped the service at 2,000 examples/s.)
 */
@ApplicationScoped
public class Outputs {
    private static final Logger LOG = Logger.getLogger(Outputs.class);
    /** What a dead letter too large for its topic keeps of the original value: enough to see what it was. */
    static final int TRUNCATED_BYTES = 64 << 10;

    // The emitters declare the channels, so that SmallRye creates their producers from the configuration.
    @Inject
    @Channel("predictions")
    Emitter<String> predictionsChannel;

    @Inject
    @Channel("training-metrics")
    Emitter<String> metricsChannel;

    @Inject
    @Channel("images-dlq")
    Emitter<byte[]> deadLetterChannel;

    @Inject
    KafkaClientService clients;

    @ConfigProperty(name = "mp.messaging.outgoing.predictions.topic", defaultValue = "predictions")
    String predictionsTopic;

    @ConfigProperty(name = "mp.messaging.outgoing.training-metrics.topic", defaultValue = "training-metrics")
    String metricsTopic;

    @ConfigProperty(name = "mp.messaging.outgoing.images-dlq.topic", defaultValue = "images-dlq")
    String deadLetterTopic;

    private volatile Producer<String, String> predictions;
    private volatile Producer<String, String> metrics;
    private volatile Producer<String, byte[]> deadLetters;

    public void prediction(Prediction p, Runnable onAck, Consumer<Throwable> onFailure) {
        send(predictions(), new ProducerRecord<>(predictionsTopic, p.id(), json(p)), onAck, onFailure);
    }

    /** Training metrics are telemetry: a failed send is counted and logged, and training goes on. */
    public void metrics(String model, TrainingMetrics m, Consumer<Throwable> onFailure) {
        send(metrics(), new ProducerRecord<>(metricsTopic, model, json(m)), () -> { }, onFailure);
    }

    /**
     * The original bytes and key, with the reason in the dlq-reason and dlq-detail headers. A dead letter
     * too large for the DLQ topic is sent again with only the first {@link #TRUNCATED_BYTES} of its value
     * and a dlq-original-bytes header, so that one record never stops the stream.
     */
    public void deadLetter(String key, byte[] value, InvalidEvent why, String source, Runnable onAck,
                           Consumer<Throwable> onFailure) {
        send(deadLetters(), deadLetterRecord(key, value, why, source, false), onAck, error -> {
            if (!(error instanceof RecordTooLargeException) || value == null || value.length <= TRUNCATED_BYTES) {
                onFailure.accept(error);
                return;
            }
            LOG.warnf("Dead letter %s of %d bytes is too large for %s (%s): sending its first %d bytes", source,
                    value.length, deadLetterTopic, error.getMessage(), TRUNCATED_BYTES);
            send(deadLetters(), deadLetterRecord(key, value, why, source, true), onAck, onFailure);
        });
    }

    private ProducerRecord<String, byte[]> deadLetterRecord(String key, byte[] value, InvalidEvent why, String source,
                                                            boolean truncate) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dlq-reason", why.reason().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-detail", why.detail().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-source", source.getBytes(StandardCharsets.UTF_8));
        byte[] kept = value;
        if (truncate) {
            headers.add("dlq-original-bytes", String.valueOf(value.length).getBytes(StandardCharsets.UTF_8));
            kept = Arrays.copyOf(value, TRUNCATED_BYTES);
        }
        return new ProducerRecord<>(deadLetterTopic, null, key, kept, headers);
    }

    private static <V> void send(Producer<String, V> producer, ProducerRecord<String, V> record, Runnable onAck,
                                 Consumer<Throwable> onFailure) {
        producer.send(record, (metadata, error) -> {
            if (error == null) onAck.run();
            else onFailure.accept(error);
        });
    }

    private Producer<String, String> predictions() {
        if (predictions == null) predictions = clients.<String, String>getProducer("predictions").unwrap();
        return predictions;
    }

    private Producer<String, String> metrics() {
        if (metrics == null) metrics = clients.<String, String>getProducer("training-metrics").unwrap();
        return metrics;
    }

    private Producer<String, byte[]> deadLetters() {
        if (deadLetters == null) deadLetters = clients.<String, byte[]>getProducer("images-dlq").unwrap();
        return deadLetters;
    }

    private static String json(Object o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
