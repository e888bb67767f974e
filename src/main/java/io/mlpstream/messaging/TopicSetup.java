package io.mlpstream.messaging;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the topics the service uses when they are missing, with the configured partitions and
 * replication, so that nothing depends on the broker's auto-creation. model-checkpoints and the pending-labels
 * changelog are compacted.
 */
@ApplicationScoped
public class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String streamsApplicationId;

    /**
     * The largest record both the checkpoint and the models topic accept, as found or created at start: a model added
     * at run time must fit it, not only the producer's limit (review finding 14).
     */
    private volatile long snapshotTopicLimit = Long.MAX_VALUE;

    long snapshotTopicLimit() {
        return snapshotTopicLimit;
    }

    void createTopics(@Observes @Priority(1) StartupEvent event) throws Exception {
        if (config.role() == Role.PREDICT) return; // the trainer creates them; a replica only reads
        try (Admin admin = Admin.create(KafkaSettings.forClient(kafka, AdminClientConfig.configNames()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            int partitions = config.topics().partitions();
            short rf = config.topics().replicationFactor();
            String images = config.topics().images();
            String dlq = config.topics().imagesDlq();
            // model-predictions and training-events exist even with one model: the statistics read the one, and a
            // consumer of the other need not wait for a second model to be added
            for (String topic : List.of(images, config.topics().predictions(), config.topics().modelPredictions(),
                    config.topics().trainingMetrics(), config.topics().trainingEvents(), dlq, config.topics().labels(),
                    config.topics().labelsDlq(), config.topics().lateExamples())) {
                if (!existing.contains(topic)) {
                    NewTopic t = new NewTopic(topic, partitions, rf);
                    if (topic.equals(images) || topic.equals(dlq)) {
                        // oversized records must reach the service, to be dead-lettered with a reason, and their
                        // dead letters (the same bytes and a few headers) must fit in the DLQ
                        int limit = topic.equals(dlq) ? (16 << 20) + (64 << 10) : 16 << 20;
                        t.configs(Map.of("max.message.bytes", String.valueOf(limit)));
                    }
                    missing.add(t);
                }
            }
            String checkpoints = config.checkpoints().topic();
            long checkpointBytes = models.configured().stream()
                    .mapToLong(m -> CheckpointCodec.maxBytes(m.model())).max().orElse(0);
            long created = Math.max(32L << 20, checkpointBytes);
            long limit = created;
            if (!existing.contains(checkpoints)) {
                missing.add(new NewTopic(checkpoints, 1, rf).configs(Map.of(
                        "cleanup.policy", "compact", "max.message.bytes", String.valueOf(created))));
            } else {
                limit = StateTopic.check(admin, checkpoints, "checkpoint", checkpointBytes);
            }
            if (!existing.contains(config.topics().models())) { // the newest weights of each model, for predictor replicas
                missing.add(new NewTopic(config.topics().models(), 1, rf).configs(Map.of("cleanup.policy", "compact",
                        "max.message.bytes", String.valueOf(created), "segment.ms", "600000")));
            } else {
                limit = Math.min(limit, StateTopic.check(admin, config.topics().models(), "published model", checkpointBytes));
            }
            snapshotTopicLimit = limit;
            String updates = config.topics().modelUpdates();
            if (config.training().dataParallel() && !existing.contains(updates)) {
                // one partition: one averager folds every update, in order; each a whole model's delta
                missing.add(new NewTopic(updates, 1, rf).configs(Map.of("max.message.bytes", String.valueOf(KafkaOutputs.MAX_REQUEST_BYTES))));
            }
            String pending = config.topics().pendingLabels();
            if (!existing.contains(pending)) { // a changelog: the newest entry of each image id is the state
                missing.add(new NewTopic(pending, 1, rf).configs(Map.of("cleanup.policy", "compact")));
            } else {
                StateTopic.check(admin, pending, "pending label", 0);
            }
            // The statistics' repartition topic, which Kafka Streams would create only once its consumer had asked for
            // it, with a warning (UNKNOWN_TOPIC_OR_PARTITION) on every fresh start; as Kafka Streams makes it
            // (StatsTopology's "by-model" grouping, as many partitions as the topics it reads)
            String byModel = streamsApplicationId + "-by-model-repartition";
            if (!existing.contains(byModel)) {
                missing.add(new NewTopic(byModel, partitions, rf).configs(Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                        "segment.bytes", "52428800")));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("Created topics %s", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }
}
