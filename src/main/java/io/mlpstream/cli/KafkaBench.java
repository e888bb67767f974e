package io.mlpstream.cli;

// Long because: the benchmark's phases (warm-up, catch-up, overload, latency) must run in order against one child
// service, and share its measurements.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import io.mlpstream.events.Json;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.service.LabPreset;
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
    private static final String HELP = """
            usage: mlp-stream bench-kafka [options]
              --events N          events in the topic before the service starts (default 50000)
              --batch-size N      the service's batch size (default: the service default, 16)
              --rate N            events/s in the steady phase (default 1000)
              --steady-seconds N  length of the steady phase (default 20)
              --overload-rate N   events/s in the overload phase, above capacity (default 10000; 0 = skip)
              --overload-seconds N  length of the overload phase (default 20)
              --delivery G        exactly-once (default) or at-least-once
              --lab               the lab preset's five models (catch-up counts relu's examples)
              --lab-model NAME    one model of the lab preset alone, under its name
              --first-minutes N   instead of the phases above: examples/s in each 10 s of the first N
                                  minutes of a fresh JVM, counted from its start (--events: the backlog)
              --mode M            instead of the phases above: the catch-up alone, on --partitions
                                  partitions, by one service (single) or by --instances services of
                                  --shards shards each (data-parallel); the group's examples/s, CPU
                                  per example, accuracy
              --shards N          data-parallel: shards per service (default 2)
              --instances N       data-parallel: services (default 1)
              --partitions N      with --mode: the images topic's partitions (default 4)
              --images FILE       idx3 images, gz or raw, cycled to --events (default: the bundled
                                  10,000 MNIST digits; --events equal to the file's count: each once)
              --labels FILE       idx1 labels""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaBench() {
    }

    public static int run(String[] args) throws Exception {
        Options o = new Options(args, HELP, "lab");
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        int events = o.intValue("events", 50_000);
        int batchSize = o.intValue("batch-size", TrainerConfig.DEFAULT.batchSize());
        double rate = Double.parseDouble(o.value("rate", "1000"));
        int steadySeconds = o.intValue("steady-seconds", 20);
        double overloadRate = Double.parseDouble(o.value("overload-rate", "10000"));
        int overloadSeconds = o.intValue("overload-seconds", 20);
        String delivery = o.value("delivery", "exactly-once");
        if (!delivery.equals("exactly-once") && !delivery.equals("at-least-once")) {
            System.err.println("--delivery is exactly-once or at-least-once, not " + delivery);
            return 2;
        }
        String mode = o.value("mode", null); // null: the phases, one partition
        if (mode != null && !mode.equals("single") && !mode.equals("data-parallel")) {
            System.err.println("--mode is single or data-parallel, not " + mode);
            return 2;
        }
        for (String other : List.of("delivery", "lab", "lab-model", "first-minutes", "rate", "steady-seconds", "overload-rate",
                "overload-seconds")) {
            if (mode != null && o.has(other)) {
                System.err.println("--mode measures the catch-up of the default model, exactly-once; it does not take --" + other);
                return 2;
            }
        }
        int shards = o.intValue("shards", 2), instances = o.intValue("instances", 1);
        if (mode != null && (shards < 1 || instances < 1)) {
            System.err.println("--shards and --instances are at least 1");
            return 2;
        }
        int partitions = mode == null ? 1 : o.intValue("partitions", 4);
        String model = o.has("lab") ? LabPreset.SERVING : o.value("lab-model", null); // whose records count; null: any
        Map<String, String> env = o.has("lab") ? Map.of("MLP_LAB", "true") : LabBench.environment(model);
        if (env == null) {
            System.err.println("--lab-model is one of " + LabPreset.KEYS.keySet());
            return 2;
        }
        Path dir = Files.createTempDirectory("mlp-bench-kafka");
        IdxReader.Images images = IdxReader.readImages(o.value("images", IdxReader.SAMPLE_IMAGES));
        byte[] labels = IdxReader.readLabels(o.value("labels", IdxReader.SAMPLE_LABELS), images);

        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            String bootstrap = broker.bootstrapServers();
            Properties ap = new Properties();
            ap.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(ap)) {
                admin.createTopics(List.of(new NewTopic("images", partitions, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))))).all().get();
                long t0 = System.nanoTime();
                Produce.send(bootstrap, "images", images, labels, events, 0, "bench-", false);
                line(Map.of("events", events, "seconds", secs(t0)));
                if (mode != null) {
                    ShardKafkaBench.catchUp(bootstrap, events, batchSize, mode.equals("data-parallel"),
                            new ShardKafkaBench.Group(instances, shards, partitions), dir);
                    return 0;
                }

                if (o.has("first-minutes")) {
                    long startedAt = System.currentTimeMillis();
                    try (ChildService service = ChildService.start(bootstrap, batchSize, delivery, dir, env);
                         KafkaConsumer<String, String> metrics = consumer(bootstrap)) {
                        waitForTopic(admin, "training-metrics");
                        FirstMinutes.measure(metrics, startedAt, o.intValue("first-minutes", 3), model, service, events);
                    }
                    return 0;
                }
                try (ChildService service = ChildService.start(bootstrap, batchSize, delivery, dir, env)) {
                    catchUp(bootstrap, events, delivery, service, admin, model);
                    long produced = events + steady(bootstrap, images, labels, rate, steadySeconds, service, admin);
                    if (overloadRate > 0) {
                        OverloadPhase.run(bootstrap, images, labels, overloadRate, overloadSeconds, produced, service, admin);
                    }
                }
            }
        }
        return 0;
    }

    /** The JIT's first minute is left out of the per-thread CPU figures. */
    private static final long CPU_FROM_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Examples trained per second while the service works through the backlog. */
    private static void catchUp(String bootstrap, int events, String delivery, ChildService service, Admin admin,
                                String model) throws Exception {
        try (KafkaConsumer<String, String> metrics = consumer(bootstrap)) {
            TopicPartition tp = new TopicPartition("training-metrics", 0);
            waitForTopic(admin, "training-metrics");
            metrics.assign(List.of(tp));
            metrics.seekToBeginning(List.of(tp));
            long firstTs = -1, firstExamples = 0, lastTs = 0, lastExamples = 0, halfTs = -1, halfExamples = 0;
            long maxHeap = 0;
            ThreadCpu cpuFrom = null; // from 60 s after the service's JVM started
            long cpuFromExamples = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long nextSample = 0;
            while (lastExamples < events && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : metrics.poll(Duration.ofMillis(200))) {
                    if (model != null && !model.equals(r.key())) continue;
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
                if (cpuFrom == null && System.nanoTime() - service.startedNanos >= CPU_FROM_NANOS) {
                    cpuFrom = service.threadCpu();
                    cpuFromExamples = lastExamples;
                }
                if (System.nanoTime() > nextSample) {
                    maxHeap = Math.max(maxHeap, service.heap());
                    nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
            }
            double seconds = (lastTs - firstTs) / 1000.0;
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "catch-up");
            l.put("delivery", delivery);
            l.put("models", model == null ? "default" : model);
            l.put("examplesTrained", lastExamples);
            l.put("seconds", Math.round(seconds * 1000) / 1000.0);
            l.put("examplesPerSecond", Math.round((lastExamples - firstExamples) / Math.max(seconds, 1e-3)));
            l.put("secondHalfExamplesPerSecond", Math.round((lastExamples - halfExamples) / Math.max((lastTs - halfTs) / 1000.0, 1e-3)));
            if (cpuFrom != null && lastExamples > cpuFromExamples) {
                cpu(l, cpuFrom, service.threadCpu(), lastExamples - cpuFromExamples);
            } else {
                l.put("cpu", "the catch-up ended within a minute of the service's start: more --events for per-thread CPU");
            }
            l.put("maxHeapUsedBytes", maxHeap);
            Thread.sleep(3000);
            l.put("heapUsedBytesAfter", service.heap());
            l.put("lagAfter", lag(admin));
            line(l);
        }
    }

    /**
     * The serial cost, per thread's CPU clock: the trainer's threads (the trainer and the model workers, which run the
     * predicting and training passes), Kafka Streams' (the statistics, per prediction: one per example of one model),
     * and every thread above 1 us per example.
     */
    private static void cpu(Map<String, Object> l, ThreadCpu from, ThreadCpu to, long examples) {
        l.put("cpuWindowExamples", examples);
        l.put("trainerCpuMicrosPerExample", to.microsPer(from, examples, n -> n.startsWith("mlp-trainer") || n.startsWith("mlp-model-")));
        l.put("statsCpuMicrosPerPrediction", to.microsPer(from, examples, n -> n.contains("StreamThread")));
        l.put("threadsCpuMicrosPerExample", to.microsPer(from, examples));
    }

    /** Send-to-prediction latency at a steady rate below capacity; returns the events sent. */
    private static int steady(String bootstrap, IdxReader.Images images, byte[] labels, double rate, int seconds,
                               ChildService service, Admin admin) throws Exception {
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
                Produce.pace(start, n, rate);
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
        l.put("heapUsedBytesAfter", service.heap());
        l.put("lagAfter", lag(admin));
        line(l);
        return total;
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return Double.NaN;
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
        return Math.round(sorted.get(Math.max(0, i)) / 1e4) / 100.0;
    }

    /** Records in the images topic that the service's group has not committed yet. */
    static long lag(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition("images", 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        OffsetAndMetadata c = admin.listConsumerGroupOffsets("mlp-stream").partitionsToOffsetAndMetadata().get().get(tp);
        return end - (c == null ? 0 : c.offset());
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
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** One JSON line on stdout. */
    static void line(Map<String, Object> fields) throws Exception {
        System.out.println(Json.mapper().writeValueAsString(fields));
    }

    private static double secs(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
    }

}
