package io.mlpstream.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlpstream.cli.IdxReader;
import io.mlpstream.cli.Produce;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * `./mlp-stream bench-kafka`: the service's speed through a real broker on this machine.
 * <ol>
 *   <li>an embedded broker starts, and the images topic is filled with --events events (the bundled
 *       sample, repeated) before the service starts;</li>
 *   <li>the packaged service starts as a child process and catches up: examples trained per second,
 *       from its training-metrics records; heap and lag are sampled;</li>
 *   <li>then events arrive at a steady --rate below capacity, and the time from send to prediction is
 *       measured per event (p50, p99).</li>
 * </ol>
 * Prints JSON lines like `bench`; the last is the summary.
 */
public final class KafkaBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaBench() {
    }

    public static int run(String[] args) throws Exception {
        Map<String, String> o = options(args);
        if (o.containsKey("help")) {
            System.out.println("""
                    usage: mlp-stream bench-kafka [options]
                      --events N          events in the topic before the service starts (default 50000)
                      --batch-size N      the service's batch size (default: the service default, 16)
                      --rate N            events/s in the steady phase (default 1000)
                      --steady-seconds N  length of the steady phase (default 20)
                      --overload-rate N   events/s in the overload phase, above capacity (default 10000; 0 = skip)
                      --overload-seconds N  length of the overload phase (default 20)""");
            return 0;
        }
        int events = Integer.parseInt(o.getOrDefault("events", "50000"));
        String batchSize = o.getOrDefault("batch-size", "16");
        double rate = Double.parseDouble(o.getOrDefault("rate", "1000"));
        int steadySeconds = Integer.parseInt(o.getOrDefault("steady-seconds", "20"));
        double overloadRate = Double.parseDouble(o.getOrDefault("overload-rate", "10000"));
        int overloadSeconds = Integer.parseInt(o.getOrDefault("overload-seconds", "20"));
        Path dir = Files.createTempDirectory("mlp-bench-kafka");
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);

        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            String bootstrap = broker.bootstrapServers();
            Properties ap = new Properties();
            ap.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(ap)) {
                admin.createTopics(List.of(new NewTopic("images", 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))))).all().get();
                long t0 = System.nanoTime();
                Produce.send(bootstrap, "images", images, labels, events, 0, "bench-", false);
                line(Map.of("events", events, "seconds", secs(t0)));

                int port = freePort();
                Process service = startService(bootstrap, port, batchSize, dir);
                try {
                    catchUp(bootstrap, events, port, admin);
                    long produced = events + steady(bootstrap, images, labels, rate, steadySeconds, port, admin);
                    if (overloadRate > 0) {
                        overload(bootstrap, images, labels, overloadRate, overloadSeconds, produced, service, port, admin);
                    }
                } finally {
                    service.destroy(); // SIGTERM: a clean shutdown
                    if (!service.waitFor(30, TimeUnit.SECONDS)) service.destroyForcibly();
                }
            }
        }
        return 0;
    }

    private static Process startService(String bootstrap, int port, String batchSize, Path dir) throws Exception {
        String jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED", "-jar", jar, "serve");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("MLP_TRAINING_BATCH_SIZE", batchSize);
        pb.environment().put("MLP_DATA_DIR", dir.resolve("service").toString());
        File log = dir.resolve("service.log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        System.err.println("bench-kafka: service log in " + log);
        return pb.start();
    }

    /** Examples trained per second while the service works through the backlog. */
    private static void catchUp(String bootstrap, int events, int port, Admin admin) throws Exception {
        try (KafkaConsumer<String, String> metrics = consumer(bootstrap)) {
            TopicPartition tp = new TopicPartition("training-metrics", 0);
            waitForTopic(admin, "training-metrics");
            metrics.assign(List.of(tp));
            metrics.seekToBeginning(List.of(tp));
            long firstTs = -1, firstExamples = 0, lastTs = 0, lastExamples = 0, halfTs = -1, halfExamples = 0;
            long maxHeap = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long nextSample = 0;
            while (lastExamples < events && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : metrics.poll(Duration.ofMillis(200))) {
                    JsonNode m = JSON.readTree(r.value());
                    long ts = m.get("timestamp").asLong(), ex = m.get("examples").asLong();
                    if (firstTs < 0) {
                        firstTs = ts;
                        firstExamples = ex;
                    }
                    lastTs = ts;
                    lastExamples = ex;
                    if (halfTs < 0 && ex >= events / 2) {
                        halfTs = ts;
                        halfExamples = ex;
                    }
                }
                if (System.nanoTime() > nextSample) {
                    maxHeap = Math.max(maxHeap, heap(port));
                    nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
            }
            double seconds = (lastTs - firstTs) / 1000.0;
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "catch-up");
            l.put("examplesTrained", lastExamples);
            l.put("seconds", Math.round(seconds * 1000) / 1000.0);
            l.put("examplesPerSecond", Math.round((lastExamples - firstExamples) / Math.max(seconds, 1e-3)));
            l.put("secondHalfExamplesPerSecond", Math.round((lastExamples - halfExamples) / Math.max((lastTs - halfTs) / 1000.0, 1e-3)));
            l.put("maxHeapUsedBytes", maxHeap);
            Thread.sleep(3000);
            l.put("heapUsedBytesAfter", heap(port));
            l.put("lagAfter", lag(admin));
            line(l);
        }
    }

    /** Send-to-prediction latency at a steady rate below capacity; returns the events sent. */
    private static int steady(String bootstrap, IdxReader.Images images, byte[] labels, double rate, int seconds,
                               int port, Admin admin) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        int total = (int) (rate * seconds);
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> c = consumer(bootstrap)) {
                TopicPartition tp = new TopicPartition("predictions", 0);
                c.assign(List.of(tp));
                c.seekToEnd(List.of(tp));
                c.position(tp);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60L);
                while (latencies.size() < total && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                        Long t = sentAt.remove(r.key());
                        if (t != null) latencies.add(System.nanoTime() - t);
                    }
                }
            }
        });
        reader.start();
        Thread.sleep(1000);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int n = 0; n < total; n++) {
                int i = n % images.count();
                String id = "steady-" + n;
                byte[] value = ImageEvents.toJson(id, labels[i] & 0xFF, 28, 28, images.pixels(), i * 784);
                long due = start + (long) (n / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                sentAt.put(id, System.nanoTime());
                producer.send(new ProducerRecord<>("images", id, value));
            }
        }
        reader.join();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("phase", "steady");
        l.put("rate", rate);
        l.put("events", total);
        l.put("predicted", sorted.size());
        l.put("p50Millis", percentile(sorted, 0.50));
        l.put("p99Millis", percentile(sorted, 0.99));
        l.put("maxMillis", percentile(sorted, 1.0));
        Thread.sleep(2000);
        l.put("heapUsedBytesAfter", heap(port));
        l.put("lagAfter", lag(admin));
        line(l);
        return total;
    }

    /**
     * Backpressure: a producer faster than training. Lag must grow while it sends and drain after it
     * stops, the heap must stay flat (the bounded poll, trainer buffer and producer buffer hold the
     * excess in Kafka, not in memory), and every event must be trained on: nothing dropped.
     */
    private static void overload(String bootstrap, IdxReader.Images images, byte[] labels, double rate, int seconds,
                                 long producedBefore, Process service, int port, Admin admin) throws Exception {
        int total = (int) (rate * seconds);
        Thread producer = new Thread(() -> {
            try {
                Produce.send(bootstrap, "images", images, labels, total, rate, "overload-", false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "overload-producer");
        long liveBefore = liveHeap(service, port);
        long start = System.nanoTime();
        producer.start();
        long maxLag = 0, maxHeap = 0, minHeap = Long.MAX_VALUE, lag = -1, drainedAt = -1, liveAtPeak = -1;
        long stoppedAt = -1, trainedAtStop = -1, trained = -1;
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds + 600L);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            lag = lag(admin);
            long heap = heap(port);
            maxLag = Math.max(maxLag, lag);
            maxHeap = Math.max(maxHeap, heap);
            minHeap = Math.min(minHeap, heap);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "overload");
            l.put("second", Math.round((System.nanoTime() - start) / 1e9));
            l.put("producing", producer.isAlive());
            l.put("lag", lag);
            trained = trained(port);
            l.put("examplesTrained", trained);
            l.put("heapUsedBytes", heap);
            line(l);
            if (!producer.isAlive() && stoppedAt < 0) {
                stoppedAt = System.nanoTime();
                trainedAtStop = trained;
                liveAtPeak = liveHeap(service, port); // lag is at its peak
            }
            if (!producer.isAlive() && lag == 0) {
                drainedAt = System.nanoTime();
                break;
            }
        }
        producer.join();
        Thread.sleep(2000); // the last partial batch is trained after the idle flush
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("phase", "overload-summary");
        l.put("rate", rate);
        l.put("events", total);
        l.put("maxLag", maxLag);
        l.put("drainedAfterSeconds", drainedAt < 0 ? null : Math.round((drainedAt - start) / 1e8) / 10.0);
        // the backlog worked off by a warm service, with nothing else producing: catch-up speed after JIT warm-up
        l.put("drainExamplesPerSecond", drainedAt < 0 ? null
                : Math.round((trained - trainedAtStop) / ((drainedAt - stoppedAt) / 1e9)));
        l.put("heapUsedBytesMin", minHeap);
        l.put("heapUsedBytesMax", maxHeap);
        l.put("liveHeapBytesBefore", liveBefore);
        l.put("liveHeapBytesAtPeakLag", liveAtPeak);
        l.put("liveHeapBytesAfter", liveHeap(service, port));
        l.put("examplesProduced", producedBefore + total);
        l.put("examplesTrained", trained(port));
        line(l);
    }

    /** Heap used right after a full collection (jcmd GC.run): what the service really holds. */
    private static long liveHeap(Process service, int port) {
        try {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(service.pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS) || gc.exitValue() != 0) return -1;
            return heap(port);
        } catch (Exception e) {
            return -1; // a JRE without jcmd
        }
    }

    private static long trained(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/api/model")).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body()).get("examplesTrained").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return Double.NaN;
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
        return Math.round(sorted.get(Math.max(0, i)) / 1e4) / 100.0;
    }

    private static long lag(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition("images", 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        OffsetAndMetadata c = admin.listConsumerGroupOffsets("mlp-stream").partitionsToOffsetAndMetadata().get().get(tp);
        return end - (c == null ? 0 : c.offset());
    }

    private static long heap(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) sum;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void waitForTopic(Admin admin, String topic) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (admin.listTopics().names().get().contains(topic)) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the service did not create " + topic + " within 60 s");
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static void line(Map<String, Object> fields) throws Exception {
        System.out.println(Json.mapper().writeValueAsString(fields));
    }

    private static double secs(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i].replaceFirst("^--", "");
            if (a.equals("help") || a.equals("-h")) o.put("help", "");
            else if (i + 1 < args.length) o.put(a, args[++i]);
        }
        return o;
    }
}
