package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading the newest checkpoint of a model from the compacted topic, on a real broker. */
class CheckpointsTest {
    static EmbeddedKafka broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new EmbeddedKafka(Files.createTempDirectory("checkpoints").resolve("kafka"), 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("model-checkpoints", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>("model-checkpoints", "kept", new byte[] {1})).get();
            p.send(new ProducerRecord<>("model-checkpoints", "deleted", new byte[] {2})).get();
            p.send(new ProducerRecord<>("model-checkpoints", "kept", new byte[] {3})).get();
            p.send(new ProducerRecord<>("model-checkpoints", "deleted", null)).get(); // a tombstone
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Map<String, Object> client() {
        return Map.of("bootstrap.servers", broker.bootstrapServers());
    }

    @Test
    void theLastValueOfTheKeyIsTheNewestCheckpoint() {
        assertArrayEquals(new byte[] {3}, Checkpoints.newest(client(), "model-checkpoints", Duration.ofSeconds(30)).get("kept"));
    }

    @Test
    void aTombstoneDeletesTheCheckpointsBeforeIt() {
        assertTrue(!Checkpoints.newest(client(), "model-checkpoints", Duration.ofSeconds(30)).containsKey("deleted"),
                "a model whose checkpoints were deleted starts fresh");
    }

    @Test
    void notReachingTheEndInTimeIsAnErrorNotAnOlderCheckpoint() {
        var e = assertThrows(IllegalStateException.class,
                () -> Checkpoints.newest(client(), "model-checkpoints", Duration.ZERO));
        assertTrue(e.getMessage().contains("older checkpoint"), e.getMessage());
    }
}
