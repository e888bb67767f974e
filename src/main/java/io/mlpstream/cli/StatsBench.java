package io.mlpstream.cli;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.events.Json;
import io.mlpstream.events.Prediction;
import io.mlpstream.streams.ConfusionMatrix;
import io.mlpstream.streams.StatsConfig;
import io.mlpstream.streams.StatsTopology;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * bench-stats: the statistics alone (the Kafka Streams topology, configured as application.properties configures it),
 * counting a backlog of predictions on an embedded broker, in this JVM: the CPU per prediction of each thread,
 * from when a third is counted (the JIT's first part left out) to the end. A minute a run, where bench-kafka's figure
 * takes ten; its StreamThread figure is what bench-kafka reports as statsCpuMicrosPerPrediction, without the trainer.
 */
final class StatsBench {
    static final String HELP = """
            usage: mlp-stream bench-stats [options]
              --predictions N     labeled predictions in the topic before the statistics start (default 900000)
              --delivery D        exactly-once (default, as the service writes them: no copy to look for) or
                                  at-least-once (each prediction looked up in the dedup store)""";

    private StatsBench() {
    }

    static int run(String[] args) throws Exception {
        Options o = new Options(args, HELP);
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        int n = o.intValue("predictions", 900_000);
        String delivery = o.value("delivery", "exactly-once");
        if (!delivery.equals("exactly-once") && !delivery.equals("at-least-once")) {
            throw new IllegalArgumentException("--delivery is exactly-once or at-least-once, not " + delivery);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(StatsBench.class.getClassLoader().getResource("application.properties")))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(StatsConfig.class).build();
        StatsConfig stats = config.getConfigMapping(StatsConfig.class);
        Path dir = Files.createTempDirectory("mlp-bench-stats");
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("predictions", 1, (short) 1))).all().get();
            }
            long t0 = System.nanoTime();
            produce(broker.bootstrapServers(), n, delivery.equals("exactly-once"));
            KafkaBench.line(Map.of("predictions", n, "delivery", delivery, "seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0));

            Properties props = new Properties();
            for (String key : List.of("processing.guarantee", "commit.interval.ms", "statestore.cache.max.bytes", "num.stream.threads")) {
                props.put(key, config.getValue("kafka-streams." + key, String.class)); // as the service runs them
            }
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-stats");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
            try (KafkaStreams streams = new KafkaStreams(StatsTopology.build(List.of("predictions"), null, 10, stats.windows(),
                    stats.windowRetention(), stats.dedupRetention()), props)) {
                streams.start();
                long start = System.nanoTime(), counted = 0, fromCount = 0, fromNanos = 0;
                ThreadCpu from = null;
                while (counted < n && System.nanoTime() - start < Duration.ofMinutes(10).toNanos()) {
                    Thread.sleep(200);
                    counted = counted(streams);
                    if (from == null && counted >= n / 3) {
                        from = ThreadCpu.ofThisJvm();
                        fromCount = counted;
                        fromNanos = System.nanoTime();
                    }
                }
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("phase", "statistics");
                l.put("counted", counted);
                l.put("complete", counted >= n);
                if (from != null && counted > fromCount) {
                    ThreadCpu to = ThreadCpu.ofThisJvm();
                    l.put("predictionsPerSecond", Math.round((counted - fromCount) / ((System.nanoTime() - fromNanos) / 1e9)));
                    l.put("statsCpuMicrosPerPrediction", to.microsPer(from, counted - fromCount, t -> t.contains("StreamThread")));
                    l.put("threadsCpuMicrosPerPrediction", to.microsPer(from, counted - fromCount));
                }
                KafkaBench.line(l);
            }
        }
        return 0;
    }

    /** n labeled predictions of one model, as the service writes them (its producer compresses with lz4), headers included. */
    private static void produce(String bootstrap, int n, boolean exactlyOnce) throws Exception {
        float[] logProbs = {-5f, -4f, -0.1f, -6f, -7f, -8f, -9f, -3f, -4f, -5f};
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "compression.type", "lz4", "linger.ms", 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String id = "bench-" + i;
                Prediction p = Prediction.of(id, logProbs, i % 10, "mnist-mlp", i, System.currentTimeMillis());
                RecordHeaders headers = new RecordHeaders(); // as KafkaOutputs writes them: the dedup reads it
                headers.add(Prediction.INPUT_TIMESTAMP, String.valueOf(i).getBytes(StandardCharsets.UTF_8));
                if (exactlyOnce) headers.add(Prediction.EXACTLY_ONCE, new byte[0]);
                producer.send(new ProducerRecord<>("predictions", null, id, Json.mapper().writeValueAsBytes(p), headers));
            }
        }
    }

    private static long counted(KafkaStreams streams) {
        try {
            ConfusionMatrix m = streams.store(StoreQueryParameters.fromNameAndType(StatsTopology.CONFUSION,
                    QueryableStoreTypes.<String, ConfusionMatrix>keyValueStore())).get("mnist-mlp");
            return m == null ? 0 : m.total();
        } catch (InvalidStateStoreException e) {
            return 0; // starting
        }
    }
}
