package io.mlpstream.messaging;

import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the model is built and input partitions are assigned (Kafka's own check adds reachability); a
 * predictor replica, once it holds every model.
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    @Inject
    PipelineRunner training;

    @Inject
    Models models;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Inject
    ModelFollower follower;

    @Inject
    MlpConfig config;

    @Override
    public HealthCheckResponse call() {
        if (config.role() == Role.PREDICT) { // a replica is ready once it holds every model
            return HealthCheckResponse.named("model").status(follower.holdsEveryModel()).withData("role", "predict").build();
        }
        boolean model = training.isReady();
        int assigned = partitions.assigned().size();
        return HealthCheckResponse.named("model")
                .status(model && assigned > 0)
                .withData("modelLoaded", model)
                .withData("assignedPartitions", assigned)
                .withData("step", model ? models.serving().trainer().step() : 0)
                .build();
    }
}
