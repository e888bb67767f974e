package io.mlpstream.messaging;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service as a child JVM, for the fault tests: it can be killed with SIGKILL, restarted,
 * and observed through its HTTP endpoints. Its output is appended to service.log in {@code dir}.
 */
final class ServiceProcess {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String bootstrap;
    private final Path dir;
    final int port;

    ServiceProcess(String bootstrap, Path dir) throws IOException {
        this.bootstrap = bootstrap;
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /** Every service a test started: whatever a failed assertion left running is stopped after each test. */
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    /** Stops (SIGKILL) every service still running; for an {@code @AfterEach}, so that no child outlives its test. */
    static void destroyAll() throws InterruptedException {
        for (Process p : STARTED) {
            if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        STARTED.clear();
    }

    Process start(Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseParallelGC", "-jar",
                Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString(), "serve");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("MLP_DATA_DIR", dir.resolve("service").toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        Process started = pb.start();
        STARTED.add(started);
        return started;
    }

    Path log() {
        return dir.resolve("service.log");
    }

    /** Waits until /q/health/ready answers {@code status}. */
    void awaitReadiness(int status, int seconds) throws Exception {
        int last = -1;
        for (int i = 0; i < seconds * 4; i++) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
                if (last == status) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("readiness never answered " + status + " (last: " + last + "); see " + log());
    }

    /** The value of a meter without labels other than model, from /q/metrics. */
    double metric(String name) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        throw new AssertionError(name + " not found");
    }

    /** GET /api/model. */
    com.fasterxml.jackson.databind.JsonNode model() throws Exception {
        return get("/api/model");
    }

    /** GET a JSON resource, e.g. /api/stats/confusion. */
    com.fasterxml.jackson.databind.JsonNode get(String path) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return io.mlpstream.events.Json.mapper().readTree(body);
    }

    /** An admin request with Basic credentials {@code admin:password}; returns the response. */
    HttpResponse<String> admin(String method, String path, String json, String password) throws Exception {
        return admin(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "application/json", password);
    }

    HttpResponse<String> admin(String method, String path, byte[] body, String contentType, String password) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization", "Basic " + auth);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void awaitMetric(String name, double atLeast, int seconds) throws Exception {
        for (int i = 0; i < seconds * 4 && metric(name) < atLeast; i++) Thread.sleep(250);
    }
}
