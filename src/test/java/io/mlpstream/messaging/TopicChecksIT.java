package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Review finding 5: topics the service keeps its state in, created beforehand with the broker's defaults (delete
 * after 7 days, 1 MB records), would refuse or lose that state silently: the packaged service refuses to start, naming
 * the topic and the fix, as it does for the checkpoint topic.
 */
class TopicChecksIT {

    /** A failed assertion must not leave a child service running, retrying against a stopped broker. */
    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    @Test
    void aModelsTopicThatWouldRefuseEveryModelStopsTheStart() throws Exception {
        assertRefused("models");
    }

    @Test
    void aPendingLabelsTopicThatIsNotCompactedStopsTheStart() throws Exception {
        assertRefused("mlp-stream-pending-labels");
    }

    /** {@code bad} is created with the defaults; the service must exit, its log naming it and cleanup.policy. */
    private static void assertRefused(String bad) throws Exception {
        Path dir = Files.createTempDirectory("mlp-topic-checks-it");
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic(bad, 1, (short) 1).configs(Map.of("cleanup.policy", "delete",
                        "max.message.bytes", "1048576")))).all().get(30, TimeUnit.SECONDS);
            }
            ServiceProcess svc = new ServiceProcess(broker.bootstrapServers(), dir);
            Process service = svc.start(Map.of());
            try {
                assertTrue(service.waitFor(60, TimeUnit.SECONDS), "the service refuses to start with " + bad + " as it is");
                assertNotEquals(0, service.exitValue());
                String log = Files.readString(svc.log());
                assertTrue(log.contains(bad) && log.contains("cleanup.policy") && log.contains("kafka-configs.sh"),
                        "the log names " + bad + " and how to fix it");
            } finally {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
