package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.mlpstream.cli.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The HTTP API: a prediction for a valid image, problem details for a bad one, the model's state. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class ApiTest {

    @Test
    void predictsAnImageEvent() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] body = ImageEvents.toJson("probe-1", 3, 28, 28, images.pixels(), 0);
        given().contentType("application/json").body(body)
                .when().post("/api/predict")
                .then().statusCode(200)
                .body("id", equalTo("probe-1"))
                .body("probabilities", hasSize(10))
                .body("predicted", notNullValue())
                .body("label", nullValue())
                .body("model", equalTo("mnist-mlp"));
    }

    @Test
    void aBadRequestGetsA4xxProblemNeverA500() {
        given().contentType("application/json").body("{\"width\": 28".getBytes(StandardCharsets.UTF_8))
                .when().post("/api/predict")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("title", equalTo("Invalid image: invalid-json"))
                .body("detail", notNullValue());
        given().contentType("application/json").body("{\"width\": 20, \"height\": 20, \"pixels\": []}".getBytes(StandardCharsets.UTF_8))
                .when().post("/api/predict")
                .then().statusCode(400).body("title", equalTo("Invalid image: size-mismatch"));
        given().contentType("application/json").body(("{\"pad\": \"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8))
                .when().post("/api/predict")
                .then().statusCode(anyOf(is(413), is(400)));
    }

    @Test
    void describesTheModel() {
        given().when().get("/api/model")
                .then().statusCode(200)
                .body("model", equalTo("mnist-mlp"))
                .body("architecture", equalTo("784-256-128-10 relu"))
                .body("hyperparameters.optimizer", equalTo("adam"))
                .body("hyperparameters.batchSize", is(16))
                .body("step", notNullValue())
                .body("examplesTrained", notNullValue())
                .body("prequentialAccuracy", notNullValue());
    }
}
