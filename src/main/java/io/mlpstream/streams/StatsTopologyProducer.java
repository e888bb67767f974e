package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Hands the statistics topology to Quarkus, which runs it (quarkus.kafka-streams.* and kafka-streams.*). */
@ApplicationScoped
public class StatsTopologyProducer {

    @Produces
    Topology topology(StatsConfig stats,
                      @ConfigProperty(name = "mp.messaging.outgoing.predictions.topic", defaultValue = "predictions")
                      String predictionsTopic,
                      @ConfigProperty(name = "mlp.model.classes", defaultValue = "10") int classes) {
        return StatsTopology.build(predictionsTopic, classes, stats.windows(), stats.windowRetention(),
                stats.dedupRetention());
    }
}
