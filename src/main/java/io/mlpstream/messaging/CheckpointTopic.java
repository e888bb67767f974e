package io.mlpstream.messaging;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;

/**
 * An existing checkpoint topic must keep the newest checkpoint of every model (compaction) and accept
 * one (its record size limit). A topic with the broker's defaults (delete after 7 days, 1 MB records)
 * fails every checkpoint, and the next crash would start a fresh model that skips the whole history:
 * so the service refuses to start and says how to fix the topic.
 */
final class CheckpointTopic {
    private CheckpointTopic() {
    }

    static void check(Admin admin, String topic, long checkpointBytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS);
        Config config = configs.get(resource);
        String policy = config.get("cleanup.policy").value();
        long maxBytes = Long.parseLong(config.get("max.message.bytes").value());
        String fix = "kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name " + topic
                + " --add-config cleanup.policy=compact,max.message.bytes=" + Math.max(32L << 20, checkpointBytes);
        if (!List.of(policy.split(",")).contains("compact")) {
            throw new IllegalStateException("The checkpoint topic " + topic + " has cleanup.policy=" + policy
                    + ": old checkpoints, the newest included, would be deleted. Make it compacted: " + fix);
        }
        if (maxBytes < checkpointBytes) {
            throw new IllegalStateException("The checkpoint topic " + topic + " accepts records of at most " + maxBytes
                    + " bytes (max.message.bytes), but a checkpoint of this model takes up to " + checkpointBytes
                    + ": every checkpoint would fail. Raise the limit: " + fix);
        }
    }
}
