package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/model/onnx: admin only, like the snapshot; what it gives ONNX Runtime answers as /api/predict does. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class ExportApiTest {
    private static final String ADMIN = "test-admin-secret";

    @Test
    void theOnnxFilePredictsAsTheServiceDoes() throws Exception {
        given().get("/api/model/onnx").then().statusCode(401);
        given().auth().preemptive().basic("viewer", "test-viewer-secret").get("/api/model/export").then().statusCode(403);
        given().auth().preemptive().basic("admin", ADMIN).queryParam("format", "pickle").get("/api/model/export")
                .then().statusCode(400).body("detail", containsString("onnx or safetensors"));
        given().auth().preemptive().basic("admin", ADMIN).queryParam("model", "nope").get("/api/model/onnx").then().statusCode(404);

        byte[] onnx = given().auth().preemptive().basic("admin", ADMIN).get("/api/model/onnx").then().statusCode(200)
                .extract().asByteArray();
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            long step = Long.parseLong(session.getMetadata().getCustomMetadata().get("step"));
            for (int i = 0; i < 20; i++) {
                JsonPath served = given().contentType("application/json")
                        .body(ImageEvents.toJson("x" + i, null, 28, 28, images.pixels(), i * 784)).post("/api/predict")
                        .then().statusCode(200).extract().jsonPath();
                assertEquals(step, served.getLong("modelStep"), "nothing trains here: the same model");
                float[][] x = new float[1][784];
                for (int k = 0; k < 784; k++) x[0][k] = (images.pixels()[i * 784 + k] & 0xFF) / 255f;
                try (OnnxTensor t = OnnxTensor.createTensor(env, x); OrtSession.Result r = session.run(Map.of("input", t))) {
                    float[] logProbs = ((float[][]) r.get(0).getValue())[0];
                    List<Float> probabilities = served.getList("probabilities", Float.class);
                    for (int c = 0; c < 10; c++) {
                        assertTrue(Math.abs(Math.exp(logProbs[c]) - probabilities.get(c)) <= 1e-5, "digit " + i + ", class " + c);
                    }
                }
            }
        }
        byte[] weights = given().auth().preemptive().basic("admin", ADMIN).queryParam("format", "safetensors")
                .get("/api/model/export").then().statusCode(200).extract().asByteArray();
        int header = (int) java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String json = new String(weights, 8, header, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.contains("\"0.weight\"") && json.contains("\"6.bias\""), "PyTorch's names: " + json);
    }
}
