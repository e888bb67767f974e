package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The statistics' Kafka Streams state, as readiness. Quarkus reports it as liveness, so a Streams error
 * (a corrupt state directory, a rebalance gone wrong) would make Kubernetes restart the process and with
 * it the trainer, although training and prediction do not depend on the statistics. A predictor replica is ready when
 * it holds a model: every replica runs the statistics, and a cluster-wide Streams problem must not empty the whole
 * prediction tier, so there the state is reported, not gated on (review finding 15).
 */
@Readiness
@ApplicationScoped
public class StatsReadiness implements HealthCheck {

    @Inject
    Instance<KafkaStreams> streams;

    @ConfigProperty(name = "mlp.role", defaultValue = "train")
    String role;

    @Override
    public HealthCheckResponse call() {
        return check(streams.isResolvable() ? streams.get().state() : null, "predict".equalsIgnoreCase(role));
    }

    static HealthCheckResponse check(KafkaStreams.State state, boolean replica) {
        boolean running = state != null && state.isRunningOrRebalancing();
        return HealthCheckResponse.named("Kafka Streams statistics").status(running || replica)
                .withData("state", state == null ? "none" : state.name()).build();
    }
}
