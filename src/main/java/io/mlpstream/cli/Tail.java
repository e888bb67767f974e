package io.mlpstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.events.Json;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** `./mlp-stream tail`: one readable line per prediction, with a running accuracy. */
public final class Tail {
    private static final String HELP = """
            usage: mlp-stream tail [options]    follow the predictions topic
              --bootstrap HOST:PORT  the broker (default: KAFKA_BOOTSTRAP_SERVERS, else localhost:9092)
              --command-config FILE  client settings (security.protocol, sasl.*, ssl.*) as the Kafka tools take them;
                                     KAFKA_* variables work too (KAFKA_SECURITY_PROTOCOL is security.protocol)
              --topic NAME           default: predictions
              --from-beginning       start at the earliest prediction instead of the newest
              --limit N              stop after N predictions""";

    private Tail() {
    }

    public static int run(String[] args) {
        Options o = new Options(args, HELP, "from-beginning");
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        Properties p = o.client();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // outputs are written in transactions
        String topic = o.value("topic", "predictions");
        long limit = o.intValue("limit", Integer.MAX_VALUE);
        long seen = 0, labeled = 0, correct = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            // no consumer group: a tail reads, it does not take partitions from anyone
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            if (o.has("from-beginning")) consumer.seekToBeginning(partitions);
            else consumer.seekToEnd(partitions);
            System.err.println("following " + topic + " on " + o.bootstrap());
            while (seen < limit) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode n = Json.mapper().readTree(r.value());
                    seen++;
                    String verdict = "";
                    if (n.hasNonNull("label")) {
                        labeled++;
                        boolean ok = n.path("correct").asBoolean();
                        if (ok) correct++;
                        verdict = String.format("label %d  %s  accuracy %.3f", n.get("label").asInt(), ok ? "correct" : "WRONG",
                                (double) correct / labeled);
                    }
                    System.out.printf("%-20s predicted %d  confidence %.3f  %s%n", n.path("id").asText(),
                            n.path("predicted").asInt(), n.path("confidence").asDouble(), verdict);
                    if (seen >= limit) break;
                }
            }
        } catch (Exception e) {
            System.err.println("tail: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
