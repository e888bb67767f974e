package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import io.mlpstream.pipeline.ModelPublisher;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trainer and two predictor replicas, packaged, as child processes on one broker. While 10,000 digits stream, the
 * replicas' model step follows the trainer's within the publish interval and a second; at the same step all three
 * answer the same image alike; a replica killed with SIGKILL serves again within seconds, with the newest model; and
 * with the trainer stopped, a replica's staleness grows until, past mlp.predict.max-staleness, it answers 503.
 */
class ReplicaIT {

    /** A failed assertion must not leave a child service running, retrying against a stopped broker. */
    @AfterEach
    void stopServices() throws InterruptedException {
        ServiceProcess.destroyAll();
    }

    /** Shortened from 2 s: the replicas must follow within it and a second. */
    private static final long PUBLISH_MS = 1000;
    /** 20 s at 500 a second: about 20 models published while a replica is asked (SwapTest swaps 100 in one JVM). */
    private static final int DIGITS = 10_000;
    private static EmbeddedKafka broker;
    private static Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("mlp-replica-it");
        broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void replicasFollowTheTrainerAndSayHowStaleTheyAre() throws Exception {
        ServiceProcess trainer = new ServiceProcess(broker.bootstrapServers(), Files.createDirectories(dir.resolve("trainer")));
        ServiceProcess[] replicas = {new ServiceProcess(broker.bootstrapServers(), Files.createDirectories(dir.resolve("replica-1"))),
                new ServiceProcess(broker.bootstrapServers(), Files.createDirectories(dir.resolve("replica-2")))};
        Map<String, String> replicaEnv = Map.of("MLP_ROLE", "predict", "MLP_PREDICT_MAX_STALENESS", "6s");
        try {
            Process trainerProcess = start(trainer, Map.of("MLP_PUBLISH_EVERY", PUBLISH_MS + "ms"));
            trainer.awaitReadiness(200, 90);
            Process[] replicaProcesses = {start(replicas[0], replicaEnv), start(replicas[1], replicaEnv)};
            for (ServiceProcess r : replicas) r.awaitReadiness(200, 90);

            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            Thread producer = new Thread(() -> {
                try {
                    Produce.send(broker.bootstrapServers(), "images", images, labels, DIGITS, 500, "rep-", false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            producer.start();
            // meanwhile, /api/predict on a replica, again and again: each answer is checked against its step's snapshot
            List<JsonNode> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            byte[] probe = ImageEvents.toJson("probe", null, 28, 28, images.pixels(), 9999 * 784);
            Thread asking = new Thread(() -> {
                while (producer.isAlive()) {
                    try {
                        HttpResponse<String> r = post(replicas[1], probe);
                        answers.add(r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : Json.mapper().createObjectNode()
                                .put("failed", r.statusCode() + " " + r.body()));
                    } catch (Exception e) {
                        answers.add(Json.mapper().createObjectNode().put("failed", e.toString()));
                    }
                }
            });
            asking.start();
            // (time, trainer step) samples; a replica's step must reach the trainer's of publish + 2 s before
            List<long[]> trained = new ArrayList<>();
            // publish + 2 s: with four JVMs, the broker and a predict loop on two cores, a replica was once past 1 s in CI
            long lagAllowed = PUBLISH_MS + 2000, worst = 0, checks = 0;
            long start = System.currentTimeMillis();
            while (producer.isAlive() || System.currentTimeMillis() - start < 12_000) {
                long now = System.currentTimeMillis();
                trained.add(new long[] {now, trainer.model().get("step").asLong()});
                for (ServiceProcess r : replicas) {
                    long step = r.model().get("step").asLong();
                    long required = 0;
                    for (long[] t : trained) if (t[0] <= now - lagAllowed) required = t[1];
                    assertTrue(step >= required, "a replica at step " + step + " is behind the trainer's step " + required
                            + " of " + lagAllowed + " ms ago");
                    long behind = 0; // how long ago the trainer was at this replica's step
                    for (long[] t : trained) if (t[1] > step) { behind = now - t[0]; break; }
                    worst = Math.max(worst, behind);
                    checks++;
                }
                Thread.sleep(250);
            }
            producer.join();
            asking.join();
            swapsAnsweredWhole(answers, images);
            System.out.printf("replicas followed the trainer: %d checks, at most %d ms behind (publish every %d ms)%n",
                    checks, worst, PUBLISH_MS);
            assertTrue(trained.get(trained.size() - 1)[1] > 100, "the trainer trained");

            long finalStep = awaitSameStep(trainer, replicas);
            for (int i = 0; i < 20; i++) {
                byte[] body = ImageEvents.toJson("same-" + i, null, 28, 28, images.pixels(), (9000 + i) * 784);
                JsonNode t = predict(trainer, body);
                for (ServiceProcess r : replicas) {
                    JsonNode p = predict(r, body);
                    assertEquals(finalStep, p.get("modelStep").asLong());
                    assertEquals(t.get("predicted"), p.get("predicted"));
                    for (int c = 0; c < 10; c++) {
                        assertEquals(t.get("probabilities").get(c).asDouble(), p.get("probabilities").get(c).asDouble(), 1e-7,
                                "the same model at the same step answers alike");
                    }
                }
            }

            // the statistics live in whichever instance's Kafka Streams holds them: every instance answers the same
            JsonNode stats = trainer.get("/api/stats/confusion");
            for (int i = 0; i < 120 && stats.path("total").asLong() < DIGITS; i++) {
                Thread.sleep(500);
                stats = trainer.get("/api/stats/confusion");
            }
            assertEquals(DIGITS, stats.path("total").asLong(), "the statistics count every labeled prediction");
            for (ServiceProcess r : replicas) assertEquals(stats, r.get("/api/stats/confusion"), "the same statistics from a replica");

            replicaProcesses[0].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long restarted = System.nanoTime();
            replicaProcesses[0] = start(replicas[0], replicaEnv);
            replicas[0].awaitReadiness(200, 90);
            System.out.printf("a replica killed with SIGKILL served again %.1f s after its new JVM started%n",
                    (System.nanoTime() - restarted) / 1e9);
            assertEquals(finalStep, replicas[0].model().get("step").asLong(), "with the newest model");

            trainerProcess.destroy();
            assertTrue(trainerProcess.waitFor(60, TimeUnit.SECONDS));
            double before = replicas[1].model().get("stalenessSeconds").asDouble();
            Thread.sleep(3000);
            double after = replicas[1].model().get("stalenessSeconds").asDouble();
            assertTrue(after >= before + 2.5, "staleness grows with the trainer gone: " + before + " then " + after);
            for (int i = 0; i < 40 && replicas[1].model().get("stalenessSeconds").asDouble() <= 6.5; i++) Thread.sleep(250);
            HttpResponse<String> refused = post(replicas[1], ImageEvents.toJson("late", null, 28, 28, images.pixels(), 0));
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("max-staleness"), refused.body());
            assertTrue(replicas[1].metric("mlp_model_staleness_seconds") > 6);
            // review section B (#16): every predict endpoint checks the staleness, not the JSON one only
            byte[] png = png(images);
            for (String[] call : new String[][] {{"/api/predict", "image/png"}, {"/api/predict/all", "image/png"}}) {
                HttpResponse<String> r = post(replicas[1], call[0], call[1], png);
                assertEquals(503, r.statusCode(), call[0] + " " + call[1] + ": " + r.body());
            }
            HttpResponse<String> all = post(replicas[1], "/api/predict/all", "application/json",
                    ImageEvents.toJson("late", null, 28, 28, images.pixels(), 0));
            assertEquals(503, all.statusCode(), all.body());
        } finally {
            for (Process p : processes) p.destroyForcibly();
        }
    }

    /**
     * Review section B (#16): a replica is not ready before it holds a model, answers the read endpoints meanwhile,
     * refuses every mutating admin call with 409 (an upload would otherwise fence the trainer), and writes nothing to
     * the topics that hold the trainer's state. On a broker of its own, so that no model is published before it starts.
     */
    @Test
    void aReplicaIsReadyOnlyWithAModelAndWritesNothing() throws Exception {
        Path own = Files.createTempDirectory("mlp-replica-ro");
        try (EmbeddedKafka kafka = new EmbeddedKafka(own.resolve("kafka"), 0).start()) {
            ServiceProcess trainer = new ServiceProcess(kafka.bootstrapServers(), Files.createDirectories(own.resolve("trainer")));
            ServiceProcess replica = new ServiceProcess(kafka.bootstrapServers(), Files.createDirectories(own.resolve("replica")));
            Map<String, String> admin = Map.of("MLP_API_ADMIN_PASSWORD", "ro-secret", "MLP_STATS_FORWARD_TIMEOUT", "2s");
            Map<String, String> replicaEnv = new java.util.HashMap<>(admin);
            replicaEnv.put("MLP_ROLE", "predict");
            Process replicaProcess = start(replica, replicaEnv);
            replica.awaitReadiness(503, 90);
            Thread.sleep(3000);
            replica.awaitReadiness(503, 1); // still: no model to serve
            double stale = replica.metric("mlp_model_staleness_seconds");
            assertTrue(stale >= 3 && stale < 120, "staleness before the first model counts from the start, not 1970: " + stale);
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + replica.port + "/api/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the read endpoints answer meanwhile");
            HttpResponse<String> noStats = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + replica.port
                    + "/api/stats/confusion")).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("statistics before any trainer: " + noStats.statusCode() + " " + noStats.body());
            assertEquals(503, noStats.statusCode(), "no instance holds the statistics yet: " + noStats.body());
            assertTrue(noStats.body().contains("statistics"), noStats.body());

            Map<String, String> trainerEnv = new java.util.HashMap<>(admin);
            trainerEnv.put("MLP_PUBLISH_EVERY", PUBLISH_MS + "ms");
            Process trainerProcess = start(trainer, trainerEnv);
            trainer.awaitReadiness(200, 90);
            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            Produce.send(kafka.bootstrapServers(), "images", images, labels, 200, 0, "ro-", false);
            replica.awaitReadiness(200, 60);
            forwardingToAStoppedHolderIsA503NamingIt(trainer, trainerProcess, replica, replicaProcess);
            trainerProcess.destroy(); // its last checkpoint and publish; then the topics stay as they are
            assertTrue(trainerProcess.waitFor(60, TimeUnit.SECONDS));
            Map<String, Long> ends = ends(kafka, "model-checkpoints", "models");

            HttpResponse<String> upload = replica.admin("PUT", "/api/model/snapshot", new byte[] {1, 2, 3}, "application/octet-stream", "ro-secret");
            assertEquals(409, upload.statusCode(), upload.body());
            assertEquals(409, replica.admin("PATCH", "/api/model/hyperparameters", "{\"learningRate\": 0.01}", "ro-secret").statusCode());
            assertEquals(409, replica.admin("POST", "/api/models", "{\"name\": \"more\", \"hidden\": [8]}", "ro-secret").statusCode());
            assertEquals(409, replica.admin("DELETE", "/api/models/mnist-mlp", null, "ro-secret").statusCode());
            Thread.sleep(2 * PUBLISH_MS);
            assertEquals(ends, ends(kafka, "model-checkpoints", "models"), "the replica wrote nothing");
            long held = replica.model().get("step").asLong();
            theLiveFeedShowsTheModelHeld(replica, held);
            heartbeatsCountOnlyForTheStepHeld(kafka, replica, held);
        }
    }

    /**
     * Review section B (#16): /api/stats asked of an instance whose statistics another one holds is forwarded; a holder
     * that does not answer (stopped with SIGSTOP here) is a 503 within the forward timeout that names it.
     */
    private void forwardingToAStoppedHolderIsA503NamingIt(ServiceProcess a, Process aProcess, ServiceProcess b, Process bProcess)
            throws Exception {
        for (int i = 0; i < 120 && (statsOf(a).statusCode() != 200 || statsOf(b).statusCode() != 200); i++) Thread.sleep(500);
        assertEquals(200, statsOf(b).statusCode(), "both instances answer /api/stats once the statistics run");
        // one of the two holds the model's statistics: stopping it makes the other's answer a 503 naming it
        Object[][] pairs = {{aProcess, a, b}, {bProcess, b, a}};
        for (Object[] pair : pairs) {
            Process stopped = (Process) pair[0];
            ServiceProcess holder = (ServiceProcess) pair[1], asked = (ServiceProcess) pair[2];
            signal("STOP", stopped);
            HttpResponse<String> r;
            long took;
            try {
                long start = System.nanoTime();
                r = statsOf(asked);
                took = (System.nanoTime() - start) / 1_000_000;
            } finally {
                signal("CONT", stopped);
            }
            if (r.statusCode() == 200) continue; // the asked instance holds them itself
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("localhost:" + holder.port) && r.body().contains("did not answer within 2 s"), r.body());
            assertTrue(took < 6000, "answered within the 2 s forward timeout, not the client's: " + took + " ms");
            return;
        }
        throw new AssertionError("neither instance forwarded to the other: no 503 while the other was stopped");
    }

    private HttpResponse<String> statsOf(ServiceProcess svc) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + svc.port + "/api/stats/confusion"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void signal(String signal, Process p) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor());
    }

    /** Review section B (#16): a replica's /api/events (the live page's feed) shows the model it holds. */
    private void theLiveFeedShowsTheModelHeld(ServiceProcess replica, long step) throws Exception {
        HttpResponse<InputStream> feed = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + replica.port
                + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, feed.statusCode());
        String data = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(feed.body(),
                StandardCharsets.UTF_8))) {
            boolean state = false;
            for (String line; data == null && (line = in.readLine()) != null; ) {
                if (line.equals("event: state")) state = true;
                else if (state && line.startsWith("data:")) data = line.substring(5).trim();
            }
        }
        assertTrue(data != null, "a state event first");
        assertEquals("replica", Json.mapper().readTree(data).path("status").path("mode").asText(), "it trains no shard: " + data);
        JsonNode models = Json.mapper().readTree(data).path("status").path("models");
        assertEquals(1, models.size(), data);
        assertEquals("mnist-mlp", models.get(0).path("model").asText(), data);
        assertEquals(step, models.get(0).path("step").asLong(), "the feed shows the step the replica holds: " + data);
    }

    /**
     * Review section B (#16): a heartbeat vouches for the step it names only. One for another step (a snapshot the
     * replica never got) leaves the staleness growing; one for the step held resets it.
     */
    private static void heartbeatsCountOnlyForTheStepHeld(EmbeddedKafka kafka, ServiceProcess replica, long held) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (var producer = new KafkaProducer<String, String>(p,
                new StringSerializer(), new StringSerializer())) {
            double before = replica.model().get("stalenessSeconds").asDouble();
            for (int i = 0; i < 40 && before < 2; i++, before = replica.model().get("stalenessSeconds").asDouble()) Thread.sleep(100);
            assertTrue(before >= 2, "stale since the trainer stopped: " + before);
            String key = "mnist-mlp" + ModelPublisher.HEARTBEAT;
            producer.send(new ProducerRecord<>("models", key, String.valueOf(held + 1000))).get();
            Thread.sleep(2000);
            double after = replica.model().get("stalenessSeconds").asDouble();
            assertTrue(after >= before + 1.5, "a heartbeat of another step is no news: " + before + " then " + after);
            producer.send(new ProducerRecord<>("models", key, String.valueOf(held))).get();
            double now = after;
            for (int i = 0; i < 40 && (now = replica.model().get("stalenessSeconds").asDouble()) >= 1.5; i++) Thread.sleep(100);
            assertTrue(now < 1.5, "a heartbeat of the step held resets the staleness: " + now);
        }
    }

    private static Map<String, Long> ends(EmbeddedKafka kafka, String... topics) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            for (String t : topics) {
                var tp = new org.apache.kafka.common.TopicPartition(t, 0);
                out.put(t, admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                        .get(30, TimeUnit.SECONDS).get(tp).offset());
            }
        }
        return out;
    }

    /**
     * Every answer a replica gave while it swapped models in is exactly the published model of the step it names:
     * each published snapshot is decoded here and asked the same digit.
     */
    private static void swapsAnsweredWhole(List<JsonNode> answers, IdxReader.Images images) throws Exception {
        Map<Long, float[]> published = new java.util.HashMap<>();
        io.mlpstream.nn.Tensor x = new io.mlpstream.nn.Tensor(1, 784);
        for (int c = 0; c < 784; c++) x.set(0, c, (images.pixels()[9999 * 784 + c] & 0xFF) / 255f);
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("isolation.level", "read_committed");
        p.put("max.partition.fetch.bytes", 64 << 20);
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition("models", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (var r : c.poll(Duration.ofMillis(500))) {
                    if (!"mnist-mlp".equals(r.key())) continue; // heartbeats
                    var checkpoint = io.mlpstream.learn.CheckpointCodec.decode(r.value(), io.mlpstream.nn.Kernels.best()).checkpoint();
                    var model = new io.mlpstream.learn.OnlineTrainer(checkpoint.learner(), io.mlpstream.learn.TrainerConfig.DEFAULT);
                    model.restore(checkpoint);
                    float[] logProbs = model.predict(x).logProbs().toArray();
                    float[] probabilities = new float[logProbs.length];
                    for (int k = 0; k < logProbs.length; k++) probabilities[k] = (float) Math.exp(logProbs[k]);
                    published.put(checkpoint.step(), probabilities);
                }
            }
        }
        java.util.Set<Long> steps = new java.util.TreeSet<>();
        for (JsonNode a : answers) {
            assertTrue(!a.has("failed"), "a prediction failed during the swaps: " + a);
            long step = a.get("modelStep").asLong();
            float[] want = published.get(step);
            assertTrue(want != null, "step " + step + " was never published");
            for (int k = 0; k < want.length; k++) {
                assertEquals(want[k], (float) a.get("probabilities").get(k).asDouble(), 1e-6, "step " + step + ", class " + k);
            }
            steps.add(step);
        }
        System.out.printf("%d answers of a replica during %d published models: %d steps seen, each exactly its snapshot%n",
                answers.size(), published.size(), steps.size());
        assertTrue(published.size() >= 10, published.size() + " models published");
        assertTrue(steps.size() >= 5, "the answers saw " + steps.size() + " models");
    }

    private Process start(ServiceProcess svc, Map<String, String> env) throws Exception {
        Process p = svc.start(env);
        processes.add(p);
        return p;
    }

    /** Waits until the trainer has stopped stepping and both replicas hold its last step. */
    private static long awaitSameStep(ServiceProcess trainer, ServiceProcess[] replicas) throws Exception {
        long step = -1;
        for (int i = 0; i < 120; i++) {
            long t = trainer.model().get("step").asLong();
            boolean same = t == step;
            for (ServiceProcess r : replicas) same &= r.model().get("step").asLong() == t;
            if (same) return t;
            step = t;
            Thread.sleep(500);
        }
        throw new AssertionError("the replicas never reached the trainer's step " + step);
    }

    private JsonNode predict(ServiceProcess svc, byte[] body) throws Exception {
        HttpResponse<String> r = post(svc, body);
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }

    private HttpResponse<String> post(ServiceProcess svc, byte[] body) throws Exception {
        return post(svc, "/api/predict", "application/json", body);
    }

    private HttpResponse<String> post(ServiceProcess svc, String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + svc.port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The first digit as a 28x28 grayscale PNG. */
    private static byte[] png(IdxReader.Images images) throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, images.pixels()[y * 28 + x] & 0xFF);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
