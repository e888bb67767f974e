package io.mlpstream.messaging;

import io.mlpstream.service.CheckpointStore;
import io.mlpstream.service.MlpConfig;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Checkpoints in the compacted model-checkpoints topic, key = model name: written through the
 * {@link KafkaOutputs} with everything else, read at start-up (read_committed) by a plain consumer from the
 * same kafka.* settings as every client (security included).
 */
@ApplicationScoped
public class Checkpoints implements CheckpointStore {
    private static final Logger LOG = Logger.getLogger(Checkpoints.class);

    @Inject
    MlpConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    KafkaOutputs outputs;

    @Inject
    TopicSetup topics;

    /** In the outputs' unit of work: with transactions, a fenced instance cannot write one. Trainer thread only. */
    @Override
    public void write(String key, byte[] value, Runnable written, Consumer<Exception> failed) {
        if (dataParallel()) return; // a shard's weights are not the model: the averager's versions are (DataParallel)
        outputs.checkpoint(topic(), key, value, written, failed);
    }

    /**
     * The producer's request limit and the checkpoint and models topics' record limit (max.message.bytes, which a
     * topic created beforehand may set lower), less room for the record's key, headers and batch.
     */
    @Override
    public long maxValueBytes() {
        return Math.min(KafkaOutputs.MAX_REQUEST_BYTES, topics.snapshotTopicLimit()) - (64 << 10);
    }

    @Override
    public String limitedBy() {
        return "the producer's request limit and the max.message.bytes of the topics " + topic() + " and "
                + config.topics().models() + ", less 64 KiB";
    }

    private boolean dataParallel() {
        return config.training().dataParallel();
    }

    private String topic() {
        return config.checkpoints().topic();
    }

    @Override
    public Map<String, byte[]> peek() {
        if (dataParallel()) return Map.of();
        Map<String, Object> props = KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"); // a running instance's open transaction
        return newest(props, topic(), Duration.ofSeconds(60));
    }

    @Override
    public Map<String, byte[]> newest() {
        outputs.init(); // fences an older instance first, and aborts its open transaction, so that its end is stable
        if (dataParallel()) return Map.of(); // a shard starts from the newest published version instead
        Map<String, Object> props = KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
        return newest(props, topic(), Duration.ofSeconds(60));
    }

    /**
     * Reads the topic from the beginning to its end and keeps the last value of every key; a tombstone (a
     * null value) deletes what came before it. Not reaching the end in time is an error: an older
     * checkpoint than the newest would make the model learn records twice.
     */
    static Map<String, byte[]> newest(Map<String, Object> clientProps, String topic, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<String, byte[]> newest = new HashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read the checkpoint topic " + topic + " to its end within "
                            + timeout.toSeconds() + " s: refusing to start from an older checkpoint than the newest");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) continue;
                    if (r.value() == null) newest.remove(r.key()); // a tombstone deletes the model's checkpoints
                    else newest.put(r.key(), r.value());
                }
            }
            return newest;
        }
    }
}
