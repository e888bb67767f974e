package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.learn.CheckpointCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An existing checkpoint topic that would lose or refuse checkpoints is caught at start, on a real broker. */
class StateTopicTest {
    static EmbeddedKafka broker;
    static Admin admin;
    static final long DEFAULT_MODEL_BYTES = CheckpointCodec.maxBytes(ModelConfig.DEFAULT);

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("checkpoint-topic");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        admin = Admin.create(p);
        admin.createTopics(List.of(
                new NewTopic("deleted", 1, (short) 1).configs(Map.of("cleanup.policy", "delete")),
                new NewTopic("small", 1, (short) 1).configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "1000000")),
                new NewTopic("good", 1, (short) 1).configs(Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(32 << 20)))))
                .all().get();
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        broker.close();
    }

    @Test
    void aTopicThatDeletesOldRecordsIsRefusedSayingHowToFixIt() {
        var e = assertThrows(IllegalStateException.class, () -> StateTopic.check(admin, "deleted", "checkpoint", DEFAULT_MODEL_BYTES));
        assertTrue(e.getMessage().contains("cleanup.policy=delete") && e.getMessage().contains("kafka-configs.sh"), e.getMessage());
    }

    @Test
    void aTopicWhoseRecordLimitIsBelowACheckpointIsRefused() {
        assertTrue(DEFAULT_MODEL_BYTES > 1_000_000, "the default model's checkpoint is larger than a 1 MB record");
        var e = assertThrows(IllegalStateException.class, () -> StateTopic.check(admin, "small", "checkpoint", DEFAULT_MODEL_BYTES));
        assertTrue(e.getMessage().contains("max.message.bytes"), e.getMessage());
    }

    @Test
    void aCompactedTopicWithRoomIsAccepted() {
        assertDoesNotThrow(() -> StateTopic.check(admin, "good", "checkpoint", DEFAULT_MODEL_BYTES));
    }
}
