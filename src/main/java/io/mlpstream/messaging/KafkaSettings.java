package io.mlpstream.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The shared kafka.* settings (bootstrap servers, security, SASL...) narrowed to what one kind of client
 * accepts, so that the clients the service creates itself are configured like SmallRye's channels.
 */
final class KafkaSettings {
    private KafkaSettings() {
    }

    /** e.g. {@code forClient(kafka, AdminClientConfig.configNames())}. */
    static Map<String, Object> forClient(Map<String, Object> kafka, Set<String> accepted) {
        Map<String, Object> props = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (accepted.contains(k)) props.put(k, v);
        });
        return props;
    }
}
