package io.mlpstream.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.nn.Kernels;
import io.mlpstream.pipeline.ModelPublisher;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.pipeline.ModelPublisher;
import io.mlpstream.service.Models;
import io.mlpstream.pipeline.ModelPublisher;
import io.mlpstream.service.Role;
import io.mlpstream.pipeline.ModelPublisher;
import io.mlpstream.service.RunningModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * A predictor replica's view of the trainer (mlp.role=predict): follows the models topic (read_committed, no
 * consumer group) and swaps each new model in whole, as TF Serving does: the snapshot is decoded into new tensors
 * first, then copied into the running model under its write lock, so that a prediction sees the old model or the
 * new one, never half of one, never none. Heartbeats and model records set the model's staleness.
 */
@ApplicationScoped
public class ModelFollower {
    private static final Logger LOG = Logger.getLogger(ModelFollower.class);

    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @Inject
    MeterRegistry registry;


    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private volatile ClientLoop loop;

    void start(@Observes @Priority(12) StartupEvent event) {
        if (config.role() != Role.PREDICT) return;
        for (RunningModel m : models.all()) {
            m.followed(0);
            Gauge.builder("mlp_model_staleness_seconds", m, RunningModel::stalenessSeconds).tag("model", m.name())
                    .description("Seconds since the newest model record or heartbeat this replica read").strongReference(true)
                    .register(registry);
        }
        loop = new ClientLoop("Following " + config.topics().models(), this::follow);
        Thread t = new Thread(loop, "mlp-follower");
        t.setDaemon(true);
        t.start();
        LOG.infof("Predictor replica: following %s for %s", config.topics().models(), models.all().stream().map(RunningModel::name).toList());
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) loop.stop();
    }

    /** True once every model has been loaded from the models topic: the replica's readiness. */
    public boolean holdsEveryModel() {
        return models.all().stream().allMatch(RunningModel::holdsModel);
    }

    private void follow() throws Exception {
        Map<String, Object> props = KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a replica that starts before the trainer must not create the models topic with the broker's defaults
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        String topic = config.topics().models();
        try (KafkaConsumer<String, byte[]> c = loop.wakes(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()))) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            // first to the end of the topic, keeping the newest record of each key: then the models are whole and
            // current, and only then is the replica ready (the topic holds many older snapshots before compaction)
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Map<String, ConsumerRecord<String, byte[]>> newest = new HashMap<>();
            while (loop.running() && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) keep(r, newest);
            }
            apply(newest);
            while (loop.running()) {
                newest.clear(); // of a poll: older ones are not loaded
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) keep(r, newest);
                apply(newest);
            }
        }
    }

    private static void keep(ConsumerRecord<String, byte[]> r, Map<String, ConsumerRecord<String, byte[]>> newest) {
        if (r.key() != null && r.value() != null) newest.put(r.key(), r);
    }

    /** The newest snapshots first, then the heartbeats (which count only for the step the replica holds). */
    private void apply(Map<String, ConsumerRecord<String, byte[]>> newest) throws Exception {
        for (ConsumerRecord<String, byte[]> r : newest.values()) {
            if (!r.key().endsWith(ModelPublisher.HEARTBEAT)) swapIn(r);
        }
        for (ConsumerRecord<String, byte[]> r : newest.values()) {
            if (!r.key().endsWith(ModelPublisher.HEARTBEAT)) continue;
            find(r.key().substring(0, r.key().length() - ModelPublisher.HEARTBEAT.length())).ifPresent(m -> {
                // a heartbeat of another step than the one held (a snapshot that did not fit, or was lost) is no news
                if (String.valueOf(m.trainer().step()).equals(new String(r.value(), StandardCharsets.UTF_8))) m.followed(r.timestamp());
            });
        }
    }

    private Optional<RunningModel> find(String name) {
        return models.all().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /**
     * Decoded here, before anything changes (load before unload), then copied in under the model's write lock: a
     * prediction, or an admin's snapshot or ONNX read (under the read lock), sees the old model or the new one.
     */
    private void swapIn(ConsumerRecord<String, byte[]> r) {
        Optional<RunningModel> model = find(r.key());
        if (model.isEmpty()) return; // a model this replica was not configured with
        CheckpointCodec.Stored stored;
        try {
            stored = CheckpointCodec.decode(r.value(), Kernels.best());
        } catch (RuntimeException e) {
            LOG.errorf("The published model %s (offset %d) cannot be read (%s): kept the one this replica has", r.key(), r.offset(), e.getMessage());
            return;
        }
        try {
            model.get().follow(stored.checkpoint());
        } catch (RuntimeException e) {
            LOG.errorf("The published model %s (offset %d) does not fit this replica (%s): kept the one it has. Configure "
                    + "the replica's models as the trainer's.", r.key(), r.offset(), e.getMessage());
            return;
        }
        model.get().loaded();
        model.get().followed(r.timestamp());
    }
}
