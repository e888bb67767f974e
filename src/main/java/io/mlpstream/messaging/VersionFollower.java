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
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Data-parallel mode: follows the models topic (read_committed, no consumer group) and hands each model's newest
 * version of a poll, decoded here, to the shard, which rebases onto it on the trainer's thread.
 */
final class VersionFollower implements Runnable {
    private static final Logger LOG = Logger.getLogger(VersionFollower.class);

    private final Map<String, Object> props;
    private final String topic;
    private final List<String> models;
    private final BiConsumer<String, ModelVersion> newer;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    VersionFollower(Map<String, Object> clientProps, String topic, List<String> models, BiConsumer<String, ModelVersion> newer) {
        this.props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.topic = topic;
        this.models = models;
        this.newer = newer;
    }

    @Override
    public void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(parts);
                c.seekToEnd(parts); // the shards started from the newest versions: only newer ones are news
                while (running) {
                    Map<String, byte[]> newest = new HashMap<>();
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.value() != null && models.contains(r.key())) newest.put(r.key(), r.value());
                    }
                    newest.forEach((model, bytes) -> newer.accept(model, VersionRecords.decode(bytes)));
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (!running) return;
                LOG.warnf("Following the versions on %s failed (%s); again in 2 s", topic, e.toString());
                sleep(2000);
            }
        }
    }

    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
