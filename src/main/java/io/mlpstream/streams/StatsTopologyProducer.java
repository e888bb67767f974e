package io.mlpstream.streams;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Hands the statistics topology to Quarkus, which runs it (quarkus.kafka-streams.* and kafka-streams.*),
 * once the local state is known to be this cluster's ({@link StateOwner}).
 */
@ApplicationScoped
public class StatsTopologyProducer {
    private static final Logger LOG = Logger.getLogger(StatsTopologyProducer.class);

    @Produces
    Topology topology(StatsConfig stats,
                      @ConfigProperty(name = "mlp.topics.predictions", defaultValue = "predictions")
                      String predictionsTopic,
                      @ConfigProperty(name = "mlp.topics.model-predictions", defaultValue = "model-predictions")
                      String modelPredictionsTopic,
                      @ConfigProperty(name = "mlp.topics.late-examples", defaultValue = "mlp-stream-late-examples")
                      String lateExamplesTopic,
                      @ConfigProperty(name = "mlp.model.classes", defaultValue = "10") int classes,
                      @ConfigProperty(name = "mlp.delivery.guarantee", defaultValue = "exactly-once") String delivery,
                      @ConfigProperty(name = "kafka-streams.processing.guarantee", defaultValue = "at_least_once")
                      String streamsGuarantee,
                      @ConfigProperty(name = "kafka-streams.state.dir") String stateDir,
                      @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka) throws Exception {
        claimState(Path.of(stateDir), applicationId, predictionsTopic, kafka); // before Kafka Streams opens its stores
        boolean exactlyOnce = !delivery.replace('_', '-').equalsIgnoreCase("at-least-once");
        if (exactlyOnce != streamsGuarantee.startsWith("exactly_once")) {
            LOG.warnf("The service delivers %s but its statistics run %s: set KAFKA_STREAMS_PROCESSING_GUARANTEE=%s",
                    delivery, streamsGuarantee, exactlyOnce ? "exactly_once_v2" : "at_least_once");
        }
        return StatsTopology.build(List.of(predictionsTopic, modelPredictionsTopic), lateExamplesTopic, classes, stats.windows(), stats.windowRetention(),
                stats.dedupRetention());
    }

    private static void claimState(Path stateDir, String applicationId, String topic, Map<String, Object> kafka) throws Exception {
        Map<String, Object> props = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) props.put(k, v);
        });
        try (Admin admin = Admin.create(props)) {
            String cluster = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            String topicId = null;
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId().toString();
            }
            StateOwner.claim(stateDir, applicationId, cluster, topicId);
        }
    }
}
