package io.mlpstream.cli;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.ModelExport;
import io.mlpstream.nn.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * `./mlp-stream export`: a model for ONNX Runtime or PyTorch, from a snapshot file (GET /api/model/snapshot) or
 * from the newest snapshot in the model-checkpoints topic; no running service needed.
 */
public final class Export {
    private static final String HELP = """
            usage: mlp-stream export [options]    write a model as ONNX (or safetensors weights)
              --format onnx|safetensors  default: onnx
              --model NAME           the model (default: mnist-mlp)
              --snapshot FILE        read this snapshot file instead of the checkpoints topic
              --bootstrap HOST:PORT  the broker (default: KAFKA_BOOTSTRAP_SERVERS, else localhost:9092)
              --command-config FILE  client settings (security.protocol, sasl.*, ssl.*) as the Kafka tools take them;
                                     KAFKA_* variables work too (KAFKA_SECURITY_PROTOCOL is security.protocol)
              --topic NAME           the checkpoints topic (default: model-checkpoints)
              --out FILE             default: NAME.onnx or NAME.safetensors""";

    private Export() {
    }

    public static int run(String[] args) {
        Options o = new Options(args, HELP);
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        String format = o.value("format", ModelExport.ONNX), model = o.value("model", "mnist-mlp");
        try {
            byte[] snapshot = o.has("snapshot") ? Files.readAllBytes(Path.of(o.value("snapshot")))
                    : newest(o.client(), o.value("topic", "model-checkpoints"), model);
            if (snapshot == null) {
                System.err.println("export: no snapshot of " + model + " in the checkpoints topic on " + o.bootstrap());
                return 1;
            }
            byte[] file = ModelExport.export(format, model, CheckpointCodec.decode(snapshot, Kernels.best()).checkpoint());
            Path out = Path.of(o.value("out", model + "." + format));
            Files.write(out, file);
            System.out.printf("wrote %s (%d bytes, %s)%n", out, file.length, format);
            return 0;
        } catch (Exception e) {
            System.err.println("export: " + e.getMessage());
            return 1;
        }
    }

    /** The last snapshot under the model's key, read_committed, or null. */
    private static byte[] newest(Properties client, String topic, String model) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        byte[] newest = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (model.equals(r.key())) newest = r.value(); // null: a tombstone, the model was removed
                }
            }
        }
        return newest;
    }
}
