package io.mlpstream.messaging;

// Long because: one typed method per output topic (nine), each with its dead-letter and too-large fallback, over the
// one transactional unit.

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Json;
import io.mlpstream.events.LateExample;
import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.ModelUpdate;
import io.mlpstream.learn.UpdateCodec;
import io.mlpstream.pipeline.Outputs;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The output topics (predictions, model-predictions, training-metrics, training-events, images-dlq, labels-dlq,
 * late-examples, the pending-labels changelog, model-checkpoints) as records, written
 * through one {@link OutputLog} with the input offsets they answer: in Kafka transactions by default,
 * at least once if {@code mlp.delivery.guarantee=at-least-once}. Topic names: {@code mlp.topics.*}.
 */
@ApplicationScoped
public class KafkaOutputs implements Outputs {
    private static final Logger LOG = Logger.getLogger(KafkaOutputs.class);
    /** What a dead letter too large for its topic keeps of the original value: enough to see what it was. */
    static final int TRUNCATED_BYTES = 64 << 10;
    /** The value of a header whose presence says it all. */
    private static final byte[] NO_VALUE = new byte[0];
    /** The largest record the producer sends: a checkpoint, a dead letter of a 16 MiB record. */
    static final int MAX_REQUEST_BYTES = 32 << 20;

    @Inject
    MlpConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    KafkaClientService clients;

    @Inject
    Models models;

    @Inject
    DataParallel dataParallel;

    private String predictionsTopic;
    private String modelPredictionsTopic;
    private String eventsTopic;
    private String metricsTopic;
    private String deadLetterTopic;
    private String labelsDlqTopic;
    private String lateExamplesTopic;
    private String pendingTopic;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    private OutputLog log;
    /** Encodes and sends on a thread of its own, in the order handed over (see {@link OutputStage}). */
    private OutputStage stage;
    private final AtomicLong dropped = new AtomicLong();

    @PostConstruct
    void create() {
        predictionsTopic = config.topics().predictions();
        modelPredictionsTopic = config.topics().modelPredictions();
        eventsTopic = config.topics().trainingEvents();
        metricsTopic = config.topics().trainingMetrics();
        deadLetterTopic = config.topics().imagesDlq();
        labelsDlqTopic = config.topics().labelsDlq();
        lateExamplesTopic = config.topics().lateExamples();
        pendingTopic = config.topics().pendingLabels();
        stage = new OutputStage("mlp-output");
        log = new OutputLog(this::producer, exactlyOnce(), config.delivery().commitInterval(), partitions::owns,
                offsets -> clients.getConsumer("images").commitAsync(offsets).subscribe().with(ok -> { }, e -> LOG.warnf(
                        "Committing offsets %s failed (%s): they are committed again later", offsets, e)), transactionTimeout());
    }

    public boolean exactlyOnce() {
        return config.delivery().guarantee() == MlpConfig.Delivery.Guarantee.EXACTLY_ONCE;
    }

    /**
     * mlp-stream-&lt;configured model names, joined by +&gt;, unless configured: one trainer per model set. Models
     * added at run time do not change it, so that the restarted service takes its own outputs over.
     */
    public String transactionalId() {
        if (dataParallel()) return dataParallel.transactionalId();
        return config.delivery().transactionalId().orElse("mlp-stream-" + String.join("+", models.configuredNames()));
    }

    private boolean dataParallel() {
        return config.training().dataParallel();
    }

    /**
     * Longer than the outages to ride out: the broker aborts a transaction open longer, and only this timeout tells that
     * newer epoch from another instance's (OutputLog.takenOver). Data-parallel: sync-every + 10 s, so that a dead
     * shard's open transaction cannot hold the averager (read_committed) for minutes.
     */
    private Duration transactionTimeout() {
        return dataParallel() ? config.training().syncEvery().plusSeconds(10) : OutputLog.TRANSACTION_TIMEOUT;
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> props = KafkaSettings.forClient(kafka, ProducerConfig.configNames());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 96L << 20);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000); // a broker outage shows as a retried commit, not a hang
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout().toMillis());
        if (exactlyOnce()) props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Fences an older instance with the same transactional id, before the model is restored. */
    public void init() {
        if (config.role() == Role.PREDICT) { // its transactional id is the trainer's: it would fence it
            throw new IllegalStateException("a predictor replica writes nothing to Kafka");
        }
        log.init();
    }

    void group(ConsumerGroupMetadata metadata) {
        log.group(metadata);
    }

    /**
     * The prediction of an input record; {@code onCommitted} runs once it is committed. Its
     * {@value Prediction#INPUT_TIMESTAMP} header is the input record's timestamp: with the id, what tells the statistics a
     * replay from a new record that reuses an id (a recreated topic's default ids, review finding 6).
     */
    @Override
    public void prediction(Prediction p, long inputTimestamp, boolean alsoPerModel, TopicPartition source, Runnable onCommitted) {
        stage.run(() -> {
            ProducerRecord<String, byte[]> r = stamped(predictionsTopic, p.id(), json(p), inputTimestamp);
            if (alsoPerModel) r.headers().add(Prediction.COPY, NO_VALUE);
            log.send(r, source, onCommitted, null, e -> dropped("The prediction of " + p.id(), e));
        });
    }

    /** One model's prediction of an input record, when several models run; {@code onCommitted} runs once it is committed. */
    @Override
    public void modelPrediction(Prediction p, long inputTimestamp, TopicPartition source, Runnable onCommitted) {
        stage.run(() -> log.send(stamped(modelPredictionsTopic, p.id(), json(p), inputTimestamp), source, onCommitted, null,
                e -> dropped("The " + p.model() + " prediction of " + p.id(), e)));
    }

    /** A prediction's record, with the headers the statistics read (see {@link Prediction}). */
    private ProducerRecord<String, byte[]> stamped(String topic, String key, byte[] value, long inputTimestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Prediction.INPUT_TIMESTAMP, String.valueOf(inputTimestamp).getBytes(StandardCharsets.UTF_8));
        if (exactlyOnce()) headers.add(Prediction.EXACTLY_ONCE, NO_VALUE);
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    /** A record of the training-events topic (a serving switch, a drift), key = model name. */
    @Override
    public void event(String model, Object event) {
        stage.run(() -> log.send(new ProducerRecord<>(eventsTopic, model, json(event)), null, () -> { }, null,
                e -> dropped("The training event " + event, e)));
    }

    /** Training metrics are telemetry: one refused is counted and logged, and training goes on. */
    @Override
    public void metrics(String model, TrainingMetrics m, Consumer<Throwable> onDropped) {
        stage.run(() -> log.send(new ProducerRecord<>(metricsTopic, model, json(m)), null, () -> { }, null, onDropped::accept));
    }

    /**
     * The original bytes and key, with the reason in the dlq-reason and dlq-detail headers. A dead letter
     * too large for the DLQ topic is sent again with only the first {@link #TRUNCATED_BYTES} of its value
     * and a dlq-original-bytes header, so that one record never stops the stream.
     */
    @Override
    public void deadLetter(String key, byte[] value, InvalidEvent why, TopicPartition source, long offset) {
        deadLetterTo(deadLetterTopic, key, value, why, source + "-" + offset, source);
    }

    /**
     * A label that could not be used, to labels-dlq with its reason, with the same fallback (review finding 17);
     * {@code source} is its topic-partition-offset.
     */
    @Override
    public void labelDeadLetter(String key, byte[] value, InvalidEvent why, String source, TopicPartition input) {
        deadLetterTo(labelsDlqTopic, key, value, why, source, input);
    }

    private void deadLetterTo(String topic, String key, byte[] value, InvalidEvent why, String from, TopicPartition input) {
        stage.run(() -> log.send(deadLetterRecord(topic, key, value, why, from, false), input, () -> { }, refused -> {
            if (value == null || value.length <= TRUNCATED_BYTES) return null;
            LOG.warnf("Dead letter %s of %d bytes is too large for %s: sending its first %d bytes", from, value.length,
                    topic, TRUNCATED_BYTES);
            return deadLetterRecord(topic, key, value, why, from, true);
        }, e -> dropped("The dead letter of " + from, e)));
    }

    /** An image whose label came later, for the models to learn and the statistics to score (key = image id). */
    @Override
    public void lateExample(LateExample example, TopicPartition source) {
        stage.run(() -> log.send(stamped(lateExamplesTopic, example.id(), json(example), example.imageTimestamp()), source, () -> { }, null,
                e -> dropped("The late example " + example.id(), e)));
    }

    /** A model's weights for predictor replicas (key = model name), or its heartbeat (key = name + ":heartbeat"). */
    @Override
    public void model(String key, byte[] value) {
        stage.run(() -> log.send(new ProducerRecord<>(config.topics().models(), key, value), null, () -> { }, null,
                e -> dropped("The published model " + key, e)));
    }

    /** Data-parallel: a shard's update for the averager, in the same transaction as the offsets it covers. */
    @Override
    public void modelUpdate(String model, ModelUpdate update) {
        stage.run(() -> log.send(new ProducerRecord<>(config.topics().modelUpdates(), model, UpdateCodec.encode(update)), null,
                () -> { }, null, e -> dropped("The update of " + model + " by shard " + update.shard(), e)));
    }

    /** An entry of the pending-labels changelog (null: a tombstone), in the same transaction as what it answers. */
    @Override
    public void pendingLabel(String id, Object entry) {
        stage.run(() -> log.send(new ProducerRecord<>(pendingTopic, id, entry == null ? null : PendingLabelsChangelog.encode(entry)), null, () -> { }, null,
                e -> dropped("The pending-labels entry of " + id, e)));
    }

    private void dropped(String what, Exception why) {
        dropped.incrementAndGet();
        LOG.errorf("%s was refused by the broker (%s): dropped, counted in mlp_outputs_dropped_total", what, why.getMessage());
    }

    long commitFailures() {
        return log.failures();
    }

    long commits() {
        return log.commits();
    }

    long commitNanos() {
        return log.commitNanos();
    }

    long droppedOutputs() {
        return dropped.get();
    }

    /** A snapshot of a model (null: a tombstone), in the same unit as the outputs: a fenced instance cannot write one. */
    void checkpoint(String topic, String model, byte[] bytes, Runnable written, Consumer<Exception> failed) {
        stage.run(() -> log.send(new ProducerRecord<>(topic, model, bytes), null, written, null, failed));
    }

    /** The input partition's records before {@code next} are answered. */
    @Override
    public void consumed(TopicPartition tp, long next) {
        stage.run(() -> log.consumed(tp, next));
    }

    @Override
    public void commitIfDue() {
        stage.run(log::commitIfDue);
    }

    /** Commits what is open; at-least-once, the consumer's offsets follow asynchronously. */
    @Override
    public void commit() {
        stage.call(() -> log.commit(true));
    }

    /** Partitions lost without a revocation: their outputs in the open unit are dropped. */
    void discard(Collection<TopicPartition> lost) {
        stage.call(() -> {
            log.discard(lost);
            return null;
        });
    }

    /** For a rebalance, on the trainer's thread: at-least-once, the caller commits the returned offsets itself. */
    Map<TopicPartition, OffsetAndMetadata> commitForRevoke() {
        return stage.call(() -> log.commit(false));
    }

    @PreDestroy
    void close() {
        if (stage != null) stage.close(); // what the trainer handed over is sent before the producer closes
        log.close(Duration.ofSeconds(10));
    }

    private static ProducerRecord<String, byte[]> deadLetterRecord(String topic, String key, byte[] value, InvalidEvent why,
                                                                   String source, boolean truncate) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dlq-reason", why.reason().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-detail", why.detail().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-source", source.getBytes(StandardCharsets.UTF_8));
        byte[] kept = value;
        if (truncate) {
            headers.add("dlq-original-bytes", String.valueOf(value.length).getBytes(StandardCharsets.UTF_8));
            kept = Arrays.copyOf(value, TRUNCATED_BYTES);
        }
        return new ProducerRecord<>(topic, null, key, kept, headers);
    }

    private static byte[] json(Object o) {
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
