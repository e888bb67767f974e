package io.mlpstream.messaging;

import io.mlpstream.learn.ModelVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Data-parallel mode: follows the models topic (read_committed, no consumer group) and hands each model's newest
 * version of a poll, decoded here, to the shard, which rebases onto it on the trainer's thread.
 */
final class VersionFollower implements Runnable {
    private final Map<String, Object> props;
    private final String topic;
    private final List<String> models;
    private final BiConsumer<String, ModelVersion> newer;
    private final ClientLoop loop;

    VersionFollower(Map<String, Object> clientProps, String topic, List<String> models, BiConsumer<String, ModelVersion> newer) {
        this.props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.topic = topic;
        this.models = models;
        this.newer = newer;
        this.loop = new ClientLoop("Following the versions on " + topic, this::follow);
    }

    @Override
    public void run() {
        loop.run();
    }

    void stop() {
        loop.stop();
    }

    private void follow() {
        try (KafkaConsumer<String, byte[]> c = loop.wakes(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()))) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToEnd(parts); // the shards started from the newest versions: only newer ones are news
            while (loop.running()) {
                Map<String, byte[]> newest = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && models.contains(r.key())) newest.put(r.key(), r.value());
                }
                newest.forEach((model, bytes) -> newer.accept(model, VersionRecords.decode(bytes)));
            }
        }
    }
}
