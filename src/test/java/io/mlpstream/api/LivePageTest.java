package io.mlpstream.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The live page in a real browser (Debian's headless Chromium, driven through its chromedriver): two models
 * learn from the embedded broker while the page shows them, as text in its own DOM, equal to the API's
 * numbers; its charts receive new points; its confusion matrix is the API's; a digit drawn with the pointer on
 * its canvas is predicted by every model. Screenshots go to target/live-page*.png.
 */
@QuarkusTest
@TestProfile(LivePageTest.TwoModels.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class LivePageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    private static IdxReader.Images images;
    private static byte[] labels;
    private static WebDriver browser;

    public static class TwoModels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.models.relu.hidden", "128", "mlp.models.tanh.activation", "tanh", "mlp.models.tanh.hidden", "64",
                    "mlp.serving-model", "relu");
        }
    }

    @BeforeAll
    static void browser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            System.err.println("\n*** LivePageTest SKIPPED: it needs Debian's packages chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver); .ci/run installs them. ***\n");
            Assumptions.abort("chromium and chromium-driver are not installed");
        }
        images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,2200");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
    }

    @AfterAll
    static void close() {
        if (browser != null) browser.quit();
    }

    @Test
    void thePageShowsTheModelsLearningAsTheApiDoesAndPredictsADrawnDigit() throws Exception {
        send(0, 3000);
        awaitTrained(3000);
        browser.get("http://localhost:" + RestAssured.port + "/");
        await("both models in the table", () -> browser.findElements(By.cssSelector("#models tbody tr")).size() == 2);
        Thread.sleep(1500); // idle now: the page's next status event carries the final numbers
        JsonPath api = given().get("/api/models").jsonPath();
        for (int i = 0; i < 2; i++) {
            String model = api.getString("[" + i + "].model");
            String prequential = String.format(Locale.ROOT, "%.3f", api.getDouble("[" + i + "].prequentialAccuracy"));
            String window = String.format(Locale.ROOT, "%.3f", api.getDouble("[" + i + "].windowAccuracy"));
            String version = String.valueOf(api.getLong("[" + i + "].modelVersion"));
            await(model + "'s accuracy as the API says", () -> prequential.equals(cell(model, "prequentialAccuracy"))
                    && window.equals(cell(model, "windowAccuracy")));
            await(model + "'s version as the API says (single mode: the step)", () -> version.equals(cell(model, "modelVersion")));
        }
        assertEquals("one (single)", browser.findElement(By.id("shard")).getText(), "the shards: one, in single mode");
        assertEquals("relu", browser.findElement(By.id("serving")).getText());
        await("relu marked as serving", () -> "serving".equals(attribute("#models tr[data-model='relu']", "class")));

        long total = given().queryParam("model", "relu").get("/api/stats/confusion").jsonPath().getLong("total");
        await("the confusion matrix's total as the API's", () -> String.valueOf(total).equals(browser.findElement(By.id("confusion-total")).getText()));
        assertEquals(11, browser.findElements(By.cssSelector("#confusion tr")).size(), "a header and ten rows");

        await("relu's layers, with their update:parameter ratio", () -> browser.findElements(By.cssSelector("#layers tbody tr")).size() == 2
                && browser.findElements(By.cssSelector("#layers tbody tr")).get(0).getText().matches(".*\\d\\.\\d\\de-\\d+$"));
        int lossPoints = points("chart-loss"), gradientPoints = points("gradients-tanh"), accuracyPoints = points("chart-accuracy");
        String newestDigit = attribute("#misclassified figure figcaption", "title");
        screenshot("live-page.png");
        send(3000, 1000);
        await("new points on the charts", () -> points("chart-loss") > lossPoints && points("gradients-tanh") > gradientPoints
                && points("chart-accuracy") > accuracyPoints);
        await("new misclassified digits, as they happen", () -> {
            String now = attribute("#misclassified figure figcaption", "title");
            return now != null && !now.equals(newestDigit) && now.contains("page-") && Integer.parseInt(now.replaceAll("page-(\\d+):.*", "$1")) >= 3000;
        });

        draw(browser.findElement(By.id("draw")), 7);
        await("every model's prediction of the drawn digit",
                () -> browser.findElements(By.cssSelector("#draw-predictions .prediction")).size() == 2);
        for (WebElement row : browser.findElements(By.cssSelector("#draw-predictions .prediction"))) { // built once per drawing
            assertTrue(row.findElement(By.className("predicted")).getText().matches("[0-9]"), row.getText());
            assertEquals(10, row.findElements(By.cssSelector(".bars span")).size());
        }
        screenshot("live-page-drawn.png");
    }

    /** Traces digit {@code index} of the bundled sample with the pointer: a stroke through its bright pixels, row by row. */
    private static void draw(WebElement canvas, int index) {
        int scale = canvas.getSize().getWidth() / 28, half = canvas.getSize().getWidth() / 2;
        Actions a = new Actions(browser);
        boolean down = false;
        for (int r = 0; r < 28; r += 2) {
            int first = -1, last = -1;
            for (int c = 0; c < 28; c++) {
                if ((images.pixels()[index * 784 + r * 28 + c] & 0xFF) > 128) {
                    if (first < 0) first = c;
                    last = c;
                }
            }
            if (first < 0) continue;
            a.moveToElement(canvas, first * scale - half, r * scale - half);
            if (!down) {
                a.clickAndHold();
                down = true;
            }
            a.moveToElement(canvas, last * scale - half, r * scale - half);
        }
        a.release().perform();
    }

    /** The table is rebuilt with every status event: an element found a moment ago may be gone, so read again. */
    private static String cell(String model, String field) {
        try {
            List<WebElement> cells = browser.findElements(By.cssSelector("#models tr[data-model='" + model + "'] td." + field));
            return cells.isEmpty() ? null : cells.get(0).getText();
        } catch (StaleElementReferenceException e) {
            return null;
        }
    }

    private static String attribute(String css, String name) {
        try {
            List<WebElement> found = browser.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0).getAttribute(name);
        } catch (StaleElementReferenceException e) {
            return null;
        }
    }

    private static int points(String canvasId) {
        String p = browser.findElement(By.id(canvasId)).getAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                screenshot("live-page-failed.png");
                throw new AssertionError("the page never showed " + what + " (see target/live-page-failed.png)");
            }
            Thread.sleep(200);
        }
    }

    /** The page rebuilds its tables as events arrive: an element found a moment ago may be gone, so ask again. */
    private static boolean holds(Supplier<Boolean> condition) {
        try {
            return condition.get();
        } catch (StaleElementReferenceException e) {
            return false;
        }
    }

    private static void screenshot(String name) {
        try {
            Files.write(Path.of("target", name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            System.err.println("screenshot " + name + " failed: " + e);
        }
    }

    private static void awaitTrained(long n) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            List<Long> trained = given().get("/api/models").jsonPath().getList("examplesTrained", Long.class);
            if (trained.size() == 2 && trained.stream().allMatch(t -> t >= n)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the models did not train on " + n + " examples");
    }

    private static void send(int from, int n) throws Exception {
        var props = Map.<String, Object>of("bootstrap.servers", ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < from + n; i++) {
                int k = i % images.count();
                producer.send(new ProducerRecord<>("images", "page-" + i, ImageEvents.toJson("page-" + i, labels[k] & 0xFF, 28, 28,
                        images.pixels(), k * 784)));
            }
        }
    }
}
