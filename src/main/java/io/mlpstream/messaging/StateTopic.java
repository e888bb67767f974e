package io.mlpstream.messaging;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;

/**
 * A topic the service keeps state in (the checkpoints, the published models, the pending labels' changelog) must keep
 * the newest record of every key (compaction) and accept one (its record size limit). One created beforehand with the
 * broker's defaults (delete after 7 days, 1 MB records) would lose or refuse that state silently: the next crash would
 * start a fresh model, replicas would never get one, waiting images would be forgotten. So the service refuses to
 * start and says how to fix the topic.
 */
final class StateTopic {
    private StateTopic() {
    }

    /**
     * @param what what the topic holds, for the message ("checkpoint", "published model", "pending label")
     * @param recordBytes the largest record it must accept (0: the broker's limit will do)
     * @return the largest record the topic accepts (max.message.bytes)
     */
    static long check(Admin admin, String topic, String what, long recordBytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS);
        Config config = configs.get(resource);
        String policy = config.get("cleanup.policy").value();
        long maxBytes = Long.parseLong(config.get("max.message.bytes").value());
        String fix = "kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name " + topic
                + " --add-config cleanup.policy=compact" + (recordBytes > 0 ? ",max.message.bytes=" + Math.max(32L << 20, recordBytes) : "");
        if (!List.of(policy.split(",")).contains("compact")) {
            throw new IllegalStateException("The " + what + " topic " + topic + " has cleanup.policy=" + policy
                    + ": old " + what + "s, the newest of each included, would be deleted. Make it compacted: " + fix);
        }
        if (maxBytes < recordBytes) {
            throw new IllegalStateException("The " + what + " topic " + topic + " accepts records of at most " + maxBytes
                    + " bytes (max.message.bytes), but a " + what + " of this model takes up to " + recordBytes
                    + ": every one would fail. Raise the limit: " + fix);
        }
        return maxBytes;
    }
}
