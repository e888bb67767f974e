package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.ConfigProvider;
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

    /** /api/models lists the model with the fields of /api/model and which one serves; an unknown name is a 404. */
    /** Browsers ask for /favicon.ico on every page: an icon, not a 404 in the live page's console. */
    @Test
    void theFaviconIsAnIcon() {
        byte[] icon = given().get("/favicon.ico").then().statusCode(200).contentType("image/x-icon").extract().asByteArray();
        assertArrayEquals(new byte[] {0, 0, 1, 0}, Arrays.copyOf(icon, 4), "an ICO header");
    }

    @Test
    void theModelsAreListedWithTheOneServingAndAnUnknownNameIsA404() {
        String name = given().get("/api/model").jsonPath().getString("model");
        given().get("/api/models").then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].model", equalTo(name))
                .body("[0].serving", is(true))
                .body("[0].architecture", equalTo("784-256-128-10 relu"))
                .body("[0]", hasKey("windowAccuracy"))
                .body("[0]", hasKey("hyperparameters"));
        given().get("/api/models/" + name).then().statusCode(200).body("model", equalTo(name)).body("serving", is(true));
        given().get("/api/models/no-such-model").then().statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo("Unknown model"))
                .body("detail", notNullValue());
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
    void afterTrainingOn4000DigitsItPredictsHeldOutOnesFromJsonAndFromPngs() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Produce.send(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class), "images", images, labels,
                4000, 0, "train-", false);
        for (int i = 0; i < 120 && given().get("/api/model").jsonPath().getLong("examplesTrained") < 4000; i++) Thread.sleep(500);

        int n = 300, jsonRight = 0, pngRight = 0;
        for (int k = 0; k < n; k++) {
            int i = 9000 + k;
            int label = labels[i] & 0xFF;
            int fromJson = given().contentType("application/json").body(ImageEvents.toJson("held-out-" + i, null, 28, 28, images.pixels(), i * 784))
                    .post("/api/predict").then().statusCode(200).extract().jsonPath().getInt("predicted");
            int fromPng = given().contentType("image/png").body(png(images.pixels(), i * 784, k))
                    .post("/api/predict").then().statusCode(200).extract().jsonPath().getInt("predicted");
            if (fromJson == label) jsonRight++;
            if (fromPng == label) pngRight++;
        }
        System.out.printf("held-out accuracy after 4,000 digits: JSON %.3f, PNG (upscaled, off-centre, dark on light) %.3f%n",
                (double) jsonRight / n, (double) pngRight / n);
        assertTrue(jsonRight >= 0.85 * n, "JSON " + jsonRight + "/" + n);
        assertTrue(pngRight >= 0.80 * n, "PNG " + pngRight + "/" + n);
    }

    @Test
    void aPngThatIsTooLargeIsRefusedBeforeDecoding() throws Exception {
        // a valid header declaring 100000 x 100000 pixels, and nothing behind it
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(100_000).putInt(100_000).put(new byte[] {8, 0, 0, 0, 0}).putInt(0);
        given().contentType("image/png").body(b.array()).post("/api/predict").then().statusCode(413)
                .body("title", equalTo("Image too large"));
        given().contentType("image/png").body("not a png at all".getBytes(StandardCharsets.US_ASCII)).post("/api/predict")
                .then().statusCode(400);
    }

    /** More large PNGs at once than mlp.limits.png-concurrency (1 in tests): the others get 429, none fails. */
    @Test
    void tooManyPngsAtOnceGet429AndTheRestAreAnswered() throws Exception {
        BufferedImage image = new BufferedImage(4096, 4096, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(2000, 2000, 0, 255);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statuses.add(pool.submit(() -> {
                go.await();
                return given().contentType("image/png").body(png).post("/api/predict").statusCode();
            }));
        }
        go.countDown();
        Map<Integer, Integer> counts = new TreeMap<>();
        for (Future<Integer> f : statuses) counts.merge(f.get(60, TimeUnit.SECONDS), 1, Integer::sum);
        pool.shutdown();
        System.out.println("8 large PNGs at once, by status: " + counts);
        assertEquals(Set.of(200, 429), counts.keySet(), "some answered, the others refused as busy: " + counts);
    }

    /** The digit upscaled 3x, dark on light paper, off-centre on a 120x100 canvas. */
    private static byte[] png(byte[] pixels, int offset, int k) throws Exception {
        BufferedImage img = new BufferedImage(120, 100, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 120; x++) img.getRaster().setSample(x, y, 0, 255);
        int ox = 5 + k % 30, oy = 3 + k % 12;
        for (int y = 0; y < 28 * 3; y++) {
            for (int x = 0; x < 28 * 3; x++) {
                int v = pixels[offset + (y / 3) * 28 + x / 3] & 0xFF;
                img.getRaster().setSample(ox + x, oy + y, 0, 255 - v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void publishesAnOpenApiDocument() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/predict"))
                .body("paths", hasKey("/api/model"));
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
