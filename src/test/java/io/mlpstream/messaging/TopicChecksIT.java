package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import java.net.http.HttpResponse;
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

    /**
     * Review finding 14: a checkpoint topic created beforehand with a 5 MiB record limit holds the configured model's
     * checkpoints, but a model added at run time whose snapshot is larger would have every checkpoint refused, and
     * come back fresh after a crash: it is refused when it is added, naming the topic's limit.
     */
    @Test
    void aModelAddedAtRunTimeTooLargeForTheCheckpointTopicIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("mlp-topic-checks-it");
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("model-checkpoints", 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                        "max.message.bytes", String.valueOf(5 << 20))))).all().get(30, TimeUnit.SECONDS);
            }
            ServiceProcess svc = new ServiceProcess(broker.bootstrapServers(), dir);
            svc.start(Map.of("MLP_API_ADMIN_PASSWORD", "secret"));
            svc.awaitReadiness(200, 90);
            HttpResponse<String> wide = svc.admin("POST", "/api/models", "{\"name\": \"wide\", \"hidden\": [1024, 1024]}", "secret");
            assertEquals(400, wide.statusCode(), wide.body());
            assertTrue(wide.body().contains("model-checkpoints") && wide.body().contains("max.message.bytes"),
                    "the refusal names the topic and its limit: " + wide.body());
            assertEquals(201, svc.admin("POST", "/api/models", "{\"name\": \"small\", \"hidden\": [64]}", "secret").statusCode(),
                    "a model whose snapshot fits is added");
        }
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
