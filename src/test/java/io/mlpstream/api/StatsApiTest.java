package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.Json;
import io.mlpstream.events.Prediction;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The Kafka Streams statistics through the real broker: labeled digits go through the service, and
 * /api/stats agrees with the predictions a plain consumer reads, never counting an aborted replay.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class StatsApiTest {
    static final int LABELED = 1000;

    /** The statistics' state is readiness: a Streams error must not make Kubernetes restart the trainer. */
    @Test
    void theStatisticsStateIsReadinessNotLiveness() throws Exception {
        String live = given().get("/q/health/live").then().extract().asString();
        assertFalse(live.contains("Kafka Streams"), "liveness: " + live);
        for (int i = 0; i < 100 && given().get("/q/health/ready").statusCode() != 200; i++) Thread.sleep(200);
        String ready = given().get("/q/health/ready").then().statusCode(200).extract().asString();
        assertTrue(ready.contains("Kafka Streams statistics"), "readiness: " + ready);
    }

    @Test
    void statsFollowThePredictionsTopicAndNeverCountAnAbortedReplay() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Produce.send(bootstrap(), "images", images, labels, LABELED, 0, "stats-", false);
        Produce.send(bootstrap(), "images", images, null, 50, 0, "stats-unlabeled-", true);

        // what the predictions topic says, read by a plain consumer, first prediction of each id
        Map<String, JsonNode> predictions = readPredictions(LABELED + 50);
        long[][] expected = new long[10][10];
        for (JsonNode p : predictions.values()) {
            if (!p.get("label").isNull()) expected[p.get("label").asInt()][p.get("predicted").asInt()]++;
        }
        long seenAt = System.nanoTime();
        JsonPath confusion = awaitTotal(LABELED);
        System.out.printf("/api/stats/confusion counted all %d labeled predictions %.1f s after the last one "
                + "was readable%n", LABELED, (System.nanoTime() - seenAt) / 1e9);
        assertEquals("mnist-mlp", confusion.getString("model"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), confusion.getList("labels"));
        for (int label = 0; label < 10; label++) {
            long[] row = confusion.getList("matrix[" + label + "]", Long.class).stream().mapToLong(x -> x).toArray();
            assertArrayEquals(expected[label], row, "row " + label);
        }

        // a service that replays predictions (a restart before its commit) replays them in a transaction that its
        // successor aborts: never counted. (At-least-once, a replay is committed and the statistics' dedup drops it:
        // StatsTopologyTest, StatsRestartTest.)
        try (KafkaProducer<String, String> producer = producer("stats-api-test-replays")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (JsonNode p : predictions.values()) {
                if (p.get("label").isNull()) continue;
                ProducerRecord<String, String> copy = new ProducerRecord<>("predictions", p.get("id").asText(), p.toString());
                copy.headers().add(Prediction.EXACTLY_ONCE, new byte[0]);
                producer.send(copy).get();
            }
            producer.abortTransaction();
            producer.beginTransaction();
            JsonNode last = predictions.values().iterator().next();
            producer.send(new ProducerRecord<>("predictions", "stats-new-one",
                    ((ObjectNode) last.deepCopy()).put("id", "stats-new-one")
                            .toString())).get();
            producer.commitTransaction();
        }
        long sentAt = System.nanoTime();
        awaitTotal(LABELED + 1); // the new id, sent after the replays, is counted...
        System.out.printf("/api/stats/confusion reflected a new prediction %.2f s after it was sent%n",
                (System.nanoTime() - sentAt) / 1e9);
        Thread.sleep(1500);
        assertEquals(LABELED + 1, get("/api/stats/confusion").getLong("total")); // ...and nothing else

        JsonPath classes = get("/api/stats/classes");
        for (int c = 0; c < 10; c++) {
            long support = classes.getLong("classes[" + c + "].support");
            assertEquals(confusion(c, c) / (double) support, classes.getDouble("classes[" + c + "].recall"), 1e-6);
        }

        JsonPath accuracy = get("/api/stats/accuracy?window=10s");
        assertEquals("10s", accuracy.getString("window"));
        long total = accuracy.getList("windows.total", Long.class).stream().mapToLong(x -> x).sum();
        assertEquals(LABELED + 1, total, "every labeled prediction is in one 10 s window");
        given().when().get("/api/stats/accuracy?window=7s").then().statusCode(400)
                .body("detail", containsString("10s")).body("title", equalTo("Unknown window size"));
        given().when().get("/api/stats/accuracy?window=soon").then().statusCode(400);
        given().when().get("/api/stats/accuracy?limit=0").then().statusCode(400);
        given().when().get("/api/stats/accuracy?limit=abc").then().statusCode(400).body("title", equalTo("Bad limit"));
        assertEquals(1, get("/api/stats/accuracy?window=1m&limit=1").getList("windows").size());
    }

    private static long confusion(int label, int predicted) {
        return get("/api/stats/confusion").getLong("matrix[" + label + "][" + predicted + "]");
    }

    private static JsonPath awaitTotal(long total) throws InterruptedException {
        JsonPath last = null;
        for (int i = 0; i < 300; i++) {
            var r = given().when().get("/api/stats/confusion");
            if (r.statusCode() == 200) {
                last = r.jsonPath();
                if (last.getLong("total") >= total) break;
            }
            Thread.sleep(100);
        }
        assertEquals(total, last == null ? -1 : last.getLong("total"));
        return last;
    }

    private static JsonPath get(String path) {
        return given().when().get(path).then().statusCode(200).extract().jsonPath();
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static KafkaProducer<String, String> producer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static Map<String, JsonNode> readPredictions(int expected) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("predictions", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (byId.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    byId.putIfAbsent(r.key(), Json.mapper().readTree(r.value()));
                }
            }
        }
        assertEquals(expected, byId.size(), "predictions read");
        return byId;
    }
}
