package io.mlpstream.messaging;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is built and input partitions are assigned (Kafka's own check adds reachability). */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    @Inject
    TrainingService training;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Override
    public HealthCheckResponse call() {
        boolean model = training.isReady();
        int assigned = partitions.assigned().size();
        return HealthCheckResponse.named("model")
                .status(model && assigned > 0)
                .withData("modelLoaded", model)
                .withData("assignedPartitions", assigned)
                .withData("step", model ? training.step() : 0)
                .build();
    }
}
