package io.mlpstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Json;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observability contract, checked with the real tools (Debian's prometheus package): the whole
 * /q/metrics output passes `promtool check metrics`, and every query of the Grafana dashboard is valid
 * PromQL that returns data from a real Prometheus scraping this service while it trains.
 * Without the package these tests are skipped, loudly; .ci/run installs it, so CI always runs them.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class DashboardTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void needsPrometheus() {
        if (!Files.isExecutable(PROMETHEUS) || !Files.isExecutable(PROMTOOL)) {
            System.err.println("\n*** SKIPPED: DashboardTest needs Debian's 'prometheus' package "
                    + "(apt-get install prometheus); .ci/run installs it. ***\n");
        }
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL),
                "needs the Debian package 'prometheus' (prometheus and promtool)");
    }

    @Test
    void theWholeMetricsOutputPassesPromtool() throws Exception {
        String metrics = scrape();
        for (String reason : InvalidEvent.REASONS) {
            assertTrue(Pattern.compile("(?m)^mlp_dlq_records_total\\{[^}]*reason=\"" + reason + "\"[^}]*} ")
                    .matcher(metrics).find(), "a DLQ counter for " + reason + " exists from the start:\n" + metrics);
        }
        assertTrue(metrics.contains("mlp_layer_dead_units_ratio{"), "per-layer gauges exist from the start");
        assertTrue(metrics.contains("layer=\"dense3\""), "every layer has its gauges");
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
        assertTrue(out.isBlank(), "promtool found problems:\n" + out);
    }

    @Test
    void everyDashboardQueryReturnsDataFromARealPrometheus() throws Exception {
        Path dir = Files.createTempDirectory("prometheus-test");
        int port = freePort();
        int servicePort = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: mlp-stream
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['localhost:%d']
                """.formatted(servicePort));
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Thread producer = new Thread(() -> {
            try {
                IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
                byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
                Produce.send(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class), "images",
                        images, labels, 6000, 300, "dash-", false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            producer.start();
            String base = "http://127.0.0.1:" + port;
            awaitData(base, "mlp_model_step > 0", 60);
            Thread.sleep(8000); // several scrapes while training, so that rate() and histogram_quantile() have data

            JsonNode dashboard = Json.mapper().readTree(Path.of("grafana/dashboards/mlp-stream.json").toFile());
            List<String> failures = new ArrayList<>();
            int queries = 0;
            for (JsonNode panel : dashboard.get("panels")) {
                for (JsonNode target : panel.path("targets")) { // a row has none
                    String expr = target.get("expr").asText().replace("$model", "mnist-mlp").replace("$instance", ".*");
                    queries++;
                    JsonNode r = query(base, expr);
                    if (!"success".equals(r.path("status").asText())) {
                        failures.add(panel.get("title").asText() + ": " + expr + " -> " + r);
                    } else if (r.path("data").path("result").isEmpty()) {
                        failures.add(panel.get("title").asText() + ": " + expr + " returned no data");
                    }
                }
            }
            for (JsonNode variable : dashboard.get("templating").get("list")) {
                String q = variable.get("definition").asText().replace("$model", "mnist-mlp");
                String selector = q.substring(q.indexOf('(') + 1, q.lastIndexOf(','));
                queries++;
                if (query(base, selector).path("data").path("result").isEmpty()) failures.add("variable " + q + " has no values");
            }
            // annotations mark events (a drift, a serving switch) that need not have happened: valid, not necessarily data
            for (JsonNode annotation : dashboard.path("annotations").path("list")) {
                String expr = annotation.get("expr").asText().replace("$instance", ".*");
                queries++;
                if (!"success".equals(query(base, expr).path("status").asText())) failures.add("annotation " + expr + " is invalid");
                String counter = expr.substring(expr.indexOf('(') + 1, expr.lastIndexOf('['));
                if (query(base, counter).path("data").path("result").isEmpty()) failures.add("annotation " + expr + ": no " + counter);
            }
            assertTrue(queries >= 20, "the dashboard has " + queries + " queries");
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            producer.join(120_000);
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void awaitData(String base, String expr, int seconds) throws Exception {
        for (int i = 0; i < seconds * 2; i++) {
            try {
                if (!query(base, expr).path("data").path("result").isEmpty()) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus never saw " + expr);
    }

    private JsonNode query(String base, String expr) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body());
    }

    private String scrape() throws Exception {
        int servicePort = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + servicePort + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
