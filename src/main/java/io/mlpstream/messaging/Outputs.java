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
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * The three output topics: predictions, training-metrics and images-dlq. They are ordinary
 * SmallRye channels (configured under mp.messaging.outgoing.*), but records go straight to each
 * channel's Kafka producer: one send per record, with a callback when the broker acknowledged it,
 * and the producer's own bounded buffer as backpressure. (Going through an Emitter cost about
 * 190 microseconds of hand-offs per record, which capped the service at 2,000 examples/s.)
 */
@ApplicationScoped
public class Outputs {

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

    public void metrics(String model, TrainingMetrics m) {
        send(metrics(), new ProducerRecord<>(metricsTopic, model, json(m)), () -> { }, e -> { });
    }

    /** The original bytes and key, with the reason in the dlq-reason and dlq-detail headers. */
    public void deadLetter(String key, byte[] value, InvalidEvent why, String source, Runnable onAck,
                           Consumer<Throwable> onFailure) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dlq-reason", why.reason().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-detail", why.detail().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-source", source.getBytes(StandardCharsets.UTF_8));
        send(deadLetters(), new ProducerRecord<>(deadLetterTopic, null, key, value, headers), onAck, onFailure);
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
