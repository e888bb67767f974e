package io.mlpstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged service, run as a child process for a benchmark, and what its HTTP endpoints say. */
final class ChildService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final int port;
    /** When its JVM was started (System.nanoTime): the JIT's first minute is left out of CPU figures. */
    final long startedNanos = System.nanoTime();

    private ChildService(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts target/quarkus-app on a free port, with its log and data under dir; delivery: exactly-once or at-least-once. */
    static ChildService start(String bootstrap, int batchSize, String delivery, Path dir) throws Exception {
        return start(bootstrap, batchSize, delivery, dir, Map.of());
    }

    /** The same, with more environment variables (the lab's models). */
    static ChildService start(String bootstrap, int batchSize, String delivery, Path dir, Map<String, String> env)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED", "-jar", jar, "serve");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("MLP_TRAINING_BATCH_SIZE", String.valueOf(batchSize));
        pb.environment().put("MLP_DATA_DIR", dir.resolve("service").toString());
        pb.environment().put("MLP_DELIVERY_GUARANTEE", delivery);
        pb.environment().put("KAFKA_STREAMS_PROCESSING_GUARANTEE", delivery.equals("at-least-once") ? "at_least_once" : "exactly_once_v2");
        pb.environment().putAll(env);
        File log = dir.resolve("service.log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        System.err.println("bench-kafka: service log in " + log);
        return new ChildService(pb.start(), port);
    }

    /** Whether /q/health/ready answers 200. */
    boolean ready() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** Examples trained, from /api/model; -1 when it does not answer. */
    long trained() {
        try {
            return JSON.readTree(get("/api/model")).get("examplesTrained").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Heap in use, from /q/metrics; -1 when it does not answer. */
    long heap() {
        try {
            double sum = 0;
            for (String line : get("/q/metrics").split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) sum;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The old generation right after a full collection (jcmd GC.run; the child runs ParallelGC, whose full
     * collection leaves every live object there): what the service really holds. A full collection is skipped
     * while a thread is inside a JNI critical region, and the trainer is inside one for every sgemm: so it is
     * asked again until the full-collection count moves (skipped ones had counted a busy service's garbage).
     */
    long liveHeap() {
        try {
            for (int attempt = 0; attempt < 20; attempt++) {
                long fullCollections = fullCollections();
                jdkTool("jcmd", String.valueOf(process.pid()), "GC.run");
                if (fullCollections >= 0 && fullCollections() > fullCollections) {
                    Matcher used = Pattern.compile("ParOldGen\\s+total \\d+K, used (\\d+)K")
                            .matcher(jdkTool("jcmd", String.valueOf(process.pid()), "GC.heap_info"));
                    return used.find() ? Long.parseLong(used.group(1)) << 10 : -1;
                }
            }
            return -1;
        } catch (Exception e) {
            return -1; // a JRE without jcmd
        }
    }

    /** The whole process's CPU time so far (every thread, the JIT and the collector included), in nanoseconds. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** GET a path of the service's HTTP API; the body. */
    String body(String path) throws Exception {
        return get(path);
    }

    /** Each thread's CPU time so far, from a thread dump. */
    ThreadCpu threadCpu() throws Exception {
        return ThreadCpu.parse(jdkTool("jcmd", String.valueOf(process.pid()), "Thread.print"));
    }

    /** Full collections so far (jstat's FGC column), -1 if unknown. */
    private long fullCollections() throws Exception {
        String[] lines = jdkTool("jstat", "-gc", String.valueOf(process.pid())).trim().split("\n");
        if (lines.length < 2) return -1;
        List<String> names = List.of(lines[0].trim().split("\\s+"));
        String[] values = lines[1].trim().split("\\s+");
        int i = names.indexOf("FGC");
        return i < 0 || i >= values.length ? -1 : Long.parseLong(values[i]);
    }

    /** Runs a tool of this JDK and returns what it printed. */
    private static String jdkTool(String tool, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", tool).toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(tool + " failed: " + out);
        return out;
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM, a clean shutdown; killed if it takes more than 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
