package io.mlpstream.messaging;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Before anything else talks to Kafka: are the credentials right? Wrong ones (a SASL password, a certificate) are not
 * something a restart fixes, so the service neither crashes nor loops through stack traces: it says once, plainly, that
 * SASL authentication failed and which settings to check, stays up and not ready, and tries again every
 * {@link #RETRY_SECONDS} seconds, so that a corrected secret (a Kubernetes Secret remounted, an ACL fixed) is picked up.
 */
@ApplicationScoped
public class KafkaAccess {
    private static final Logger LOG = Logger.getLogger(KafkaAccess.class);
    /** Between two tries: a credential fixed by hand is taken within this; the broker is not hammered meanwhile. */
    private static final int RETRY_SECONDS = 10;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    void await(@Observes @Priority(0) StartupEvent event) throws InterruptedException {
        Map<String, Object> props = KafkaSettings.forClient(kafka, AdminClientConfig.configNames());
        WaitingHealth health = null;
        try {
            for (int attempt = 0; ; attempt++) {
                if (authenticated(props, attempt)) {
                    if (attempt > 0) LOG.infof("Authenticated to Kafka at %s: starting", props.get("bootstrap.servers"));
                    return;
                }
                // the service's own HTTP server starts after this: meanwhile probes get live, and not ready
                if (health == null) health = WaitingHealth.start(httpPort);
                Thread.sleep(RETRY_SECONDS * 1000L);
            }
        } finally {
            if (health != null) health.stop();
        }
    }

    /** False only for wrong credentials, said once in a while; anything else is left to the clients, as always. */
    private boolean authenticated(Map<String, Object> props, int attempt) throws InterruptedException {
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AuthenticationException a)) return true;
            if (attempt % 30 == 0) {
                LOG.errorf("SASL authentication to Kafka at %s failed (%s, %s): check the credentials, KAFKA_SASL_JAAS_CONFIG "
                            + "(sasl.jaas.config) and KAFKA_SASL_MECHANISM. The service stays up, not ready, and tries again "
                        + "every %d s.", props.get("bootstrap.servers"), props.get("sasl.mechanism"), a.getMessage(), RETRY_SECONDS);
            }
            return false;
        } catch (TimeoutException e) {
            return true; // an unreachable broker is not a credential problem: the clients wait for it as they always have
        }
    }
}
