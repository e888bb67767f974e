package io.mlpstream.messaging;

import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.Snapshot;
import io.mlpstream.nn.SnapshotCodec;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Model snapshots in the compacted model-checkpoints topic (key = model name): written every N steps
 * or T seconds and on shutdown, read back at start. A snapshot carries, besides the model, the next
 * input offset of every partition, so that the restored model resumes exactly after what it learned:
 * nothing trained twice, nothing skipped.
 */
@ApplicationScoped
public class Checkpoints {
    private static final Logger LOG = Logger.getLogger(Checkpoints.class);

    @Inject
    MlpConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private volatile KafkaProducer<String, byte[]> producer;

    /** For the REST API's lastCheckpoint, which must not depend on messaging. */
    @jakarta.enterprise.inject.Produces
    @jakarta.inject.Singleton
    final io.mlpstream.learn.CheckpointStatus status = new io.mlpstream.learn.CheckpointStatus();

    private final CountDownLatch restored = new CountDownLatch(1);
    private volatile Map<String, Long> resumeOffsets = Map.of();
    private final AtomicLong lastWrittenMillis = new AtomicLong();
    private volatile long lastWrittenStep = -1;

    /**
     * Reads the newest snapshot of this model, if any. Refuses a snapshot of another architecture unless
     * mlp.checkpoints.fresh-on-mismatch is set. Unblocks the partition assignment when done.
     */
    public Optional<Snapshot> restore(ModelConfig configured, Kernels kernels) {
        try {
            Optional<byte[]> bytes = newest();
            if (bytes.isEmpty()) {
                LOG.infof("No snapshot of %s in %s: starting a fresh model", config.modelName(), topic());
                return Optional.empty();
            }
            ModelConfig stored = SnapshotCodec.peekConfig(bytes.get());
            if (!sameArchitecture(stored, configured)) {
                String both = "the snapshot of " + config.modelName() + " is " + stored.architecture() + " " + stored.hidden()
                        + ", the configuration asks for " + configured.architecture() + " " + configured.hidden();
                if (!config.checkpoints().freshOnMismatch()) {
                    throw new IllegalStateException("Refusing to start: " + both
                            + ". Set MLP_CHECKPOINTS_FRESH_ON_MISMATCH=true to start a fresh model instead.");
                }
                LOG.warnf("Starting a fresh model: %s", both);
                return Optional.empty();
            }
            Snapshot s = SnapshotCodec.decode(bytes.get(), kernels);
            resumeOffsets = Map.copyOf(s.offsets());
            lastWrittenStep = s.model().step();
            lastWrittenMillis.set(System.currentTimeMillis());
            status.record(lastWrittenStep, lastWrittenMillis.get());
            LOG.infof("Restored %s at step %d (%d examples trained), resuming at %s", config.modelName(), s.model().step(),
                    s.examplesTrained(), s.offsets());
            return Optional.of(s);
        } finally {
            restored.countDown();
        }
    }

    /** The offsets to seek to on assignment; waits for {@link #restore} to finish first. */
    public Map<String, Long> resumeOffsets() {
        try {
            restored.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return resumeOffsets;
    }

    private String topic() {
        return config.checkpoints().topic();
    }

    public boolean due(long step) {
        return step - lastWrittenStep >= config.checkpoints().everySteps()
                || System.currentTimeMillis() - lastWrittenMillis.get() >= config.checkpoints().every().toMillis();
    }

    /**
     * Writes a snapshot; call it on the trainer's thread, between steps, with nothing buffered.
     * A model with a non-finite weight is never written.
     */
    public void write(Snapshot snapshot) {
        Model model = snapshot.model();
        for (Parameter p : model.parameters()) {
            if (!p.value.isFinite()) {
                LOG.errorf("Not checkpointing %s at step %d: %s has non-finite weights", config.modelName(), model.step(), p.name);
                return;
            }
        }
        byte[] bytes = SnapshotCodec.encode(snapshot);
        long step = model.step();
        lastWrittenStep = step;
        lastWrittenMillis.set(System.currentTimeMillis());
        producer()
                .send(new ProducerRecord<>(topic(), config.modelName(), bytes), (meta, e) -> {
                    if (e != null) {
                        LOG.errorf("Checkpoint at step %d failed: %s", step, e.getMessage());
                    } else {
                        status.record(step, System.currentTimeMillis());
                        LOG.debugf("Checkpoint at step %d: %d bytes", step, bytes.length);
                    }
                });
    }

    /** Seconds since the last snapshot was written or restored; NaN before the first. */
    public double ageSeconds() {
        long t = lastWrittenMillis.get();
        return t == 0 ? Double.NaN : (System.currentTimeMillis() - t) / 1000.0;
    }

    /** Blocks until the producer has sent everything, for shutdown. */
    public void flush() {
        if (producer != null) producer.flush();
    }

    @PreDestroy
    void close() {
        if (producer != null) producer.close(Duration.ofSeconds(10));
    }

    /**
     * A plain producer, from the same kafka.* settings as every client (security included): snapshots
     * are written at start-up and shutdown, outside the lifetime of SmallRye's channels.
     */
    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = KafkaSettings.forClient(kafka, ProducerConfig.configNames());
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 << 20);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }


    private Optional<byte[]> newest() {
        Map<String, Object> props = KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            byte[] newest = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (config.modelName().equals(r.key()) && r.value() != null) newest = r.value();
                }
            }
            return Optional.ofNullable(newest);
        }
    }

    private static boolean sameArchitecture(ModelConfig a, ModelConfig b) {
        return a.type().equals(b.type()) && a.inputSize() == b.inputSize() && a.hidden().equals(b.hidden())
                && a.classes() == b.classes() && a.activation() == b.activation();
    }
}
