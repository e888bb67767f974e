package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.nn.Kernels;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lab of three models (named in the environment's form, MLP_MODELS__TANH_SMALL__HIDDEN) on two partitions,
 * packaged, as a child JVM: a model is added and a configured one removed at run time, then the service is
 * killed with SIGKILL mid-stream and started again. Every model comes back from its own snapshot, the added one
 * too, the removed one not; each model that ran throughout has trained on every example exactly once, and a
 * read_committed consumer sees each prediction once per model.
 */
class LabRestartIT {
    private static final int EVENTS = 3000;
    private static final String ADMIN = "lab-secret";
    private static EmbeddedKafka broker;
    private static Path dir;
    private ServiceProcess svc;
    private Process service;

    /** A failed assertion must not leave the child running. */
    @AfterEach
    void stopService() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroyForcibly();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("mlp-lab-it");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void everyModelComesBackFromItsOwnSnapshotTheAddedOneTooTheRemovedOneNot() throws Exception {
        svc = new ServiceProcess(broker.bootstrapServers(), dir);
        service = start();
        svc.awaitReadiness(200, 60);
        assertEquals(List.of("perceptron", "relu", "tanh-small"), names());
        assertEquals("784-32-10 tanh", svc.get("/api/models/tanh-small").get("architecture").asText(), "as the environment says");
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Thread producer = new Thread(() -> produce(images, labels));
        producer.start();

        Thread.sleep(2000);
        assertEquals(201, send("POST", "/api/models", "{\"name\": \"added\", \"hidden\": [16]}"));
        assertEquals(204, send("DELETE", "/api/models/perceptron", null));
        Thread.sleep(3000);
        service.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no final checkpoint
        Map<String, Long> checkpointed = checkpointSteps();
        System.out.printf("lab killed: newest checkpoints %s%n", checkpointed);
        assertTrue(checkpointed.keySet().containsAll(List.of("added", "relu", "tanh-small")), "each has its own: " + checkpointed);

        service = start();
        svc.awaitReadiness(200, 60);
        assertEquals(List.of("added", "relu", "tanh-small"), names(), "the added model came back, the removed one did not");
        for (String model : checkpointed.keySet()) {
            long step = svc.get("/api/models/" + model).get("step").asLong();
            assertTrue(step >= checkpointed.get(model), model + " at step " + step + ", its snapshot at " + checkpointed.get(model));
        }
        producer.join();
        for (String model : List.of("relu", "tanh-small")) {
            for (int i = 0; i < 120 && trained(model) < EVENTS; i++) Thread.sleep(500);
        }
        Thread.sleep(2000); // anything trained twice would show now
        assertEquals(EVENTS, trained("relu"), "relu trained on every example once");
        assertEquals(EVENTS, trained("tanh-small"), "tanh-small trained on every example once");

        Map<String, Integer> perModel = new TreeMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (var r : readAll("model-predictions")) {
            JsonNode p = Json.mapper().readTree(r.value());
            if (counts.merge(p.get("model").asText() + "/" + r.key(), 1, Integer::sum) == 1) {
                perModel.merge(p.get("model").asText(), 1, Integer::sum);
            }
        }
        assertEquals(EVENTS, perModel.get("relu"));
        assertEquals(EVENTS, perModel.get("tanh-small"));
        assertEquals(0, counts.values().stream().mapToInt(c -> c - 1).sum(), "no prediction twice, across the SIGKILL");
        // the added model predicted each record from its addition on once, and learned exactly those: none twice
        // across the kill (its snapshot names every partition), none before it was added
        long added = trained("added");
        assertTrue(added > 0 && added < EVENTS, "added while the stream flowed: " + added);
        assertEquals(perModel.get("added").longValue(), added, "the added model learned each record it predicted, once");
        Map<String, Integer> served = new HashMap<>();
        for (var r : readAll("predictions")) served.merge(r.key(), 1, Integer::sum);
        assertEquals(EVENTS, served.size());
        assertEquals(0, served.values().stream().mapToInt(c -> c - 1).sum());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
    }

    private Process start() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("MLP_CHECKPOINTS_EVERY_STEPS", "25", "MLP_CHECKPOINTS_EVERY", "2s",
                "MLP_TOPICS_PARTITIONS", "2", "MLP_API_ADMIN_PASSWORD", ADMIN, "MLP_SERVING_MODEL", "relu"));
        env.putAll(Map.of("MLP_MODELS__RELU__HIDDEN", "64", "MLP_MODELS__TANH_SMALL__ACTIVATION", "tanh",
                "MLP_MODELS__TANH_SMALL__HIDDEN", "32", "MLP_MODELS__PERCEPTRON__TYPE", "perceptron"));
        return svc.start(env);
    }

    private List<String> names() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : svc.get("/api/models")) out.add(m.get("model").asText());
        return out;
    }

    private long trained(String model) throws Exception {
        return svc.get("/api/models/" + model).get("examplesTrained").asLong();
    }

    private int send(String method, String path, String json) throws Exception {
        return svc.admin(method, path, json, ADMIN).statusCode();
    }

    private void produce(IdxReader.Images images, byte[] labels) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "lab-" + i;
                producer.send(new ProducerRecord<>("images", id, ImageEvents.toJson(id, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784))).get();
                Thread.sleep(2); // still producing while the service dies
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The step of each model's newest snapshot. */
    private Map<String, Long> checkpointSteps() {
        Map<String, Long> steps = new TreeMap<>();
        for (var r : readAll("model-checkpoints")) {
            if (r.value() == null) steps.remove(r.key());
            else if (!r.key().startsWith("__")) steps.put(r.key(), CheckpointCodec.decode(r.value(), Kernels.best()).checkpoint().step());
        }
        return steps;
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return TopicReader.readAll(broker.bootstrapServers(), topic);
    }
}
