package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The statistics' Kafka Streams state, as readiness. Quarkus reports it as liveness, so a Streams error
 * (a corrupt state directory, a rebalance gone wrong) would make Kubernetes restart the process and with
 * it the trainer, although training and prediction do not depend on the statistics.
 */
@Readiness
@ApplicationScoped
public class StatsReadiness implements HealthCheck {

    @Inject
    Instance<KafkaStreams> streams;

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.isResolvable() ? streams.get().state() : null;
        boolean up = state != null && state.isRunningOrRebalancing();
        return HealthCheckResponse.named("Kafka Streams statistics").status(up)
                .withData("state", state == null ? "none" : state.name()).build();
    }
}
