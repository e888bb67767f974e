package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.Learner;
import io.mlpstream.messaging.KafkaBroker;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.service.TrainerThreads;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The admin endpoints: credentials first, then snapshot download and upload, and run-time hyper-parameters. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminTest {
    private static final String ADMIN = "test-admin-secret";

    @Inject
    TrainerThreads training;

    @Test
    void withoutCredentials401WhateverTheContentTypeAndANonAdminGets403() {
        given().get("/api/model/snapshot").then().statusCode(401).header("WWW-Authenticate", "Basic realm=\"mlp-stream\"");
        given().contentType("image/png").body(new byte[] {1, 2, 3}).put("/api/model/snapshot").then().statusCode(401);
        given().contentType("application/json").body("{not json").patch("/api/model/hyperparameters").then().statusCode(401)
                .body("status", is(401));
        given().auth().preemptive().basic("admin", "wrong").get("/api/model/snapshot").then().statusCode(401);
        given().auth().preemptive().basic("viewer", "test-viewer-secret").get("/api/model/snapshot").then().statusCode(403);
    }

    @Test
    void aDownloadedSnapshotLoadsBackAndAForeignOneIsRefused() {
        byte[] snapshot = given().auth().preemptive().basic("admin", ADMIN).get("/api/model/snapshot")
                .then().statusCode(200).extract().asByteArray();
        Checkpoint s = CheckpointCodec.decode(snapshot, Kernels.best()).checkpoint();
        assertEquals("784-256-128-10 relu", s.learner().config().architecture());

        given().auth().preemptive().basic("admin", ADMIN).contentType("application/octet-stream").body(snapshot)
                .put("/api/model/snapshot").then().statusCode(200).body("loaded", is(true));

        byte[] corrupt = Arrays.copyOf(snapshot, snapshot.length / 2);
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/octet-stream").body(corrupt)
                .put("/api/model/snapshot").then().statusCode(400).body("title", equalTo("Invalid snapshot"));

        Learner other = Learner.create(new ModelConfig(ModelType.MLP, 784, List.of(32), 10, Activation.RELU, 0.01f, 0f, null, 1),
                OptimizerConfig.sgd(0.1f), Kernels.best());
        long stepBefore = given().get("/api/model").jsonPath().getLong("step");
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/octet-stream")
                .body(CheckpointCodec.encode(Checkpoint.of(other, 0)))
                .put("/api/model/snapshot").then().statusCode(400).body("title", equalTo("Architecture mismatch"));
        assertEquals(stepBefore, given().get("/api/model").jsonPath().getLong("step"), "the running model is untouched");
    }

    @Test
    void hyperParametersChangeAtRunTime() {
        given().header("X-API-Key", "nope").contentType("application/json").body("{\"learningRate\": 0.0005}")
                .patch("/api/model/hyperparameters").then().statusCode(401);
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/json")
                .body("{\"learningRate\": 0.0005, \"batchSize\": 8, \"dropout\": 0.2}")
                .patch("/api/model/hyperparameters").then().statusCode(200);
        given().get("/api/model").then().statusCode(200)
                .body("hyperparameters.learningRate", is(0.0005f))
                .body("hyperparameters.batchSize", is(8))
                .body("hyperparameters.dropout", is(0.2f));
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/json").body("{\"dropout\": 2}")
                .patch("/api/model/hyperparameters").then().statusCode(400);
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/json").body("{\"colour\": 2}")
                .patch("/api/model/hyperparameters").then().statusCode(400).body("title", equalTo("Unknown hyper-parameter"));
        // out of bounds, or not finite: refused before anything changes
        for (String bad : new String[] {"{\"learningRate\": 1e39}", "{\"learningRate\": 11}", "{\"weightDecay\": 2}",
                "{\"batchSize\": 5000}", "{\"batchSize\": 1e10}", "{\"batchSize\": 2.5}", "{\"momentum\": 1}",
                "{\"learningRate\": 0.001, \"batchSize\": 0}", "{\"learningRate\": \"0.01\"}", "{\"batchSize\": \"8\"}", "{}"}) {
            given().auth().preemptive().basic("admin", ADMIN).contentType("application/json").body(bad)
                    .patch("/api/model/hyperparameters").then().statusCode(400);
        }
        given().get("/api/model").then().statusCode(200)
                .body("hyperparameters.learningRate", is(0.0005f))
                .body("hyperparameters.batchSize", is(8));
    }

    /**
     * The trainer is busy for longer than an admin call waits (2 s in the test profile): the call answers
     * 503 and nothing changes, neither now nor when the trainer gets to its queue later.
     */
    @Test
    void anAdminCallThatTimedOutNeverRunsLater() throws Exception {
        float before = given().get("/api/model").jsonPath().getFloat("hyperparameters.learningRate");
        var busy = training.submit(() -> {
            try {
                Thread.sleep(4000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        given().auth().preemptive().basic("admin", ADMIN).contentType("application/json").body("{\"learningRate\": 0.0042}")
                .patch("/api/model/hyperparameters").then().statusCode(503).body("title", equalTo("Trainer busy"));
        busy.toCompletableFuture().get();
        Thread.sleep(500);
        assertEquals(before, given().get("/api/model").jsonPath().getFloat("hyperparameters.learningRate"),
                "the refused change was not applied later");
    }

    /**
     * Guessing is slowed: after 5 wrong credentials from one client within a minute, every admin call of that client
     * answers 429 with Retry-After, the right credentials too, until the minute is over. Absent credentials are not
     * guesses. The 401 says the same whether or not credentials are configured. Last: it blocks this client.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void wrongCredentialsAreSlowedAfterFiveAMinute() {
        for (int i = 0; i < 10; i++) given().get("/api/model/snapshot").then().statusCode(401); // absent: no guess
        given().auth().preemptive().basic("admin", ADMIN).get("/api/model/snapshot").then().statusCode(200);
        int answered401 = 0; // the other tests guessed wrong a few times already, within this minute
        while (given().auth().preemptive().basic("admin", "guess-" + answered401).get("/api/model/snapshot").statusCode() == 401) {
            answered401++;
            assertTrue(answered401 <= 5, "at most 5 wrong credentials a minute are answered 401");
        }
        given().header("X-API-Key", "guess").get("/api/model/snapshot").then().statusCode(429)
                .header("Retry-After", matchesPattern("[1-9][0-9]?"));
        given().auth().preemptive().basic("admin", ADMIN).get("/api/model/snapshot").then().statusCode(429);
        given().get("/api/model").then().statusCode(200); // what needs no credentials is not slowed
    }
}
