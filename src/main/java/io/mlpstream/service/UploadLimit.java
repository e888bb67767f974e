package io.mlpstream.service;

import io.mlpstream.learn.CheckpointCodec;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A snapshot upload ({@code PUT /api/model/snapshot}) is one HTTP body, so the HTTP body limit must hold
 * the running model's whole snapshot: weights and up to two optimizer slots per weight. Checked at start
 * against the model actually built or restored, with the setting that fixes it.
 */
@ApplicationScoped
public class UploadLimit {
    private static final Logger LOG = Logger.getLogger(UploadLimit.class);

    @Inject
    Models models;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
    MemorySize limit;

    void check(@Observes @Priority(20) StartupEvent event) {
        for (RunningModel model : models.all()) check(model);
    }

    private void check(RunningModel model) {
        long needed = CheckpointCodec.maxBytes(model.trainer().learner().config());
        if (needed > limit.asLongValue()) {
            LOG.errorf("A snapshot of %s is up to %d bytes, above the HTTP body limit of %d bytes: PUT /api/model/snapshot "
                    + "would answer 413. Set QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE=%dM.", model.name(), needed,
                    limit.asLongValue(), (needed >> 20) + 1);
        }
    }
}
