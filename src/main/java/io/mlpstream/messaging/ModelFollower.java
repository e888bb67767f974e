package io.mlpstream.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.nn.Kernels;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.mlpstream.service.RunningModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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

    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;

    void start(@Observes @Priority(12) StartupEvent event) {
        if (config.role() != Role.PREDICT) return;
        for (RunningModel m : models.all()) {
            m.followed(0);
            Gauge.builder("mlp_model_staleness_seconds", m, RunningModel::stalenessSeconds).tag("model", m.name())
                    .description("Seconds since the newest model record or heartbeat this replica read").strongReference(true)
                    .register(registry);
        }
        running = true;
        Thread t = new Thread(this::follow, "mlp-follower");
        t.setDaemon(true);
        t.start();
        LOG.infof("Predictor replica: following %s for %s", config.topics().models(), models.all().stream().map(RunningModel::name).toList());
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
    }

    /** True once every model has been loaded from the models topic: the replica's readiness. */
    public boolean holdsEveryModel() {
        return models.all().stream().allMatch(RunningModel::holdsModel);
    }

    private void follow() {
        Map<String, Object> props = KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        String topic = config.topics().models();
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                while (running) {
                    Map<String, ConsumerRecord<String, byte[]>> newest = new HashMap<>(); // of a poll: older ones are not loaded
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        if (r.key() == null) continue;
                        if (r.key().endsWith(ModelPublisher.HEARTBEAT)) {
                            find(r.key().substring(0, r.key().length() - ModelPublisher.HEARTBEAT.length()))
                                    .ifPresent(m -> m.followed(r.timestamp()));
                        } else if (r.value() != null) {
                            newest.put(r.key(), r);
                        }
                    }
                    newest.values().forEach(this::swapIn);
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (!running) return;
                LOG.warnf("Following %s failed (%s); again in 2 s", topic, e.getMessage());
                sleep(2000);
            }
        }
    }

    private Optional<RunningModel> find(String name) {
        return models.all().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Decoded before anything changes (load before unload), then copied in under the model's write lock. */
    private void swapIn(ConsumerRecord<String, byte[]> r) {
        Optional<RunningModel> model = find(r.key());
        if (model.isEmpty()) return; // a model this replica was not configured with
        try {
            CheckpointCodec.Stored stored = CheckpointCodec.decode(r.value(), Kernels.best());
            model.get().trainer().restore(stored.checkpoint());
            model.get().loaded();
            model.get().followed(r.timestamp());
        } catch (RuntimeException e) {
            LOG.errorf("The published model %s (offset %d) does not fit this replica (%s): kept the one it has. Configure "
                    + "the replica's models as the trainer's.", r.key(), r.offset(), e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
