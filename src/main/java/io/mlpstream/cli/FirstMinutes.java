package io.mlpstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * bench-kafka --first-minutes N: how fast a fresh JVM trains through Kafka in each 10 s of its first N minutes,
 * counted from the moment the process was started (not from readiness: a user waits for the whole start), with
 * a backlog ({@code --events}) that should not run dry. The warm figure is the best 30 s of the last minute before
 * the backlog ran dry; the first minute is compared with it.
 */
final class FirstMinutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FirstMinutes() {
    }

    /** {@code startedAt}: the child JVM's start, epoch ms; {@code model}: whose records count (null: any). */
    static void measure(KafkaConsumer<String, String> metrics, long startedAt, int minutes, String model, ChildService service,
                        long backlog)
            throws Exception {
        TopicPartition tp = new TopicPartition("training-metrics", 0);
        metrics.assign(List.of(tp));
        metrics.seekToBeginning(List.of(tp));
        int buckets = minutes * 6;
        long[] examplesAt = new long[buckets + 1]; // examples trained by the end of each 10 s from the start
        long end = startedAt + minutes * 60_000L, latest = 0, readyAt = -1;
        while (System.currentTimeMillis() < end + 3000) {
            for (ConsumerRecord<String, String> r : metrics.poll(Duration.ofMillis(200))) {
                if (model != null && !model.equals(r.key())) continue;
                JsonNode m = JSON.readTree(r.value());
                long t = m.get("timestamp").asLong() - startedAt, ex = m.get("examples").asLong();
                int b = (int) Math.min(buckets, Math.max(0, (t + 9_999) / 10_000));
                for (int k = b; k <= buckets; k++) examplesAt[k] = Math.max(examplesAt[k], ex);
                latest = Math.max(latest, ex);
            }
            if (readyAt < 0 && service.ready()) readyAt = System.currentTimeMillis() - startedAt;
        }
        List<Long> perSecond = new ArrayList<>();
        for (int k = 1; k <= buckets; k++) {
            long rate = (examplesAt[k] - examplesAt[k - 1]) / 10;
            perSecond.add(rate);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "first-minutes");
            l.put("secondsFromJvmStart", k * 10);
            l.put("examplesPerSecond", rate);
            KafkaBench.line(l);
        }
        long firstMinute = examplesAt[Math.min(6, buckets)] / Math.min(60, buckets * 10L);
        long warm = 0; // the best 30 s of the last minute in which the backlog had not run dry
        for (int k = Math.max(3, buckets - 6); k <= buckets; k++) {
            if (examplesAt[k] < backlog) warm = Math.max(warm, (examplesAt[k] - examplesAt[k - 3]) / 30);
        }
        for (int k = buckets; warm == 0 && k >= 3; k--) { // it ran dry before the last minute: the last 30 s before that
            if (examplesAt[k] < backlog) warm = (examplesAt[k] - examplesAt[k - 3]) / 30;
        }
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("phase", "first-minutes-summary");
        l.put("models", model == null ? "default" : model);
        l.put("readyAfterSeconds", readyAt / 1000.0);
        l.put("firstMinuteExamplesPerSecond", firstMinute);
        l.put("warmExamplesPerSecond", warm);
        l.put("firstMinuteOfWarm", warm == 0 ? 0 : Math.round(100.0 * firstMinute / warm) / 100.0);
        l.put("examplesTrained", latest);
        KafkaBench.line(l);
    }
}
