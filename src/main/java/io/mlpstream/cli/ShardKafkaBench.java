package io.mlpstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * bench-kafka --mode single|data-parallel --instances M --shards N: the catch-up of a backlog on a topic of several
 * partitions, by one service in single mode or by M services of N shards each in data-parallel mode (each service
 * dealing the partitions Kafka gives it to its shards), on this machine. What the two modes are compared by: examples per second of the group, the whole services' CPU per example
 * (every thread of every process, from 60 s after the last one started, so that the JIT's first minute is left out),
 * and the group's prequential accuracy from the statistics (every prediction the group made, each scored by its label).
 */
final class ShardKafkaBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CPU_FROM_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ShardKafkaBench() {
    }

    /** Data-parallel: how many services, how many shards each, on how many partitions. */
    record Group(int instances, int shards, int partitions) {
    }

    /** The topic holds {@code events} already; returns after printing the catch-up line. */
    static void catchUp(String bootstrap, int events, int batchSize, boolean dataParallel, Group group, Path dir)
            throws Exception {
        List<ChildService> services = new ArrayList<>();
        try {
            for (int i = 0; i < (dataParallel ? group.instances() : 1); i++) {
                Map<String, String> env = dataParallel ? Map.of("MLP_TRAINING_MODE", "data-parallel", "MLP_TRAINING_INSTANCE_ID",
                        "bench-" + i, "MLP_TRAINING_SHARDS", String.valueOf(group.shards())) : Map.of();
                services.add(ChildService.start(bootstrap, batchSize, "exactly-once", Files.createDirectories(dir.resolve("shard-" + i)), env));
            }
            long started = System.nanoTime(), deadline = started + TimeUnit.MINUTES.toNanos(15);
            long cpuFrom = -1, examplesFrom = 0, fromNanos = 0, firstNanos = -1, firstExamples = 0, trained = 0;
            while (trained < events && System.nanoTime() < deadline) {
                Thread.sleep(250);
                trained = Math.max(trained, newest(services));
                if (firstNanos < 0 && trained > 0) {
                    firstNanos = System.nanoTime();
                    firstExamples = trained;
                }
                if (cpuFrom < 0 && System.nanoTime() - started >= CPU_FROM_NANOS) {
                    cpuFrom = cpu(services);
                    examplesFrom = trained;
                    fromNanos = System.nanoTime();
                }
            }
            long endNanos = System.nanoTime(), cpuTo = cpu(services);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("phase", "catch-up");
            l.put("mode", dataParallel ? "data-parallel" : "single");
            l.put("instances", services.size());
            l.put("shardsPerInstance", dataParallel ? group.shards() : 1);
            l.put("partitions", group.partitions());
            l.put("examplesTrained", trained);
            l.put("complete", trained >= events); // false: the 15 minutes ran out first
            l.put("seconds", Math.round((endNanos - firstNanos) / 1e6) / 1000.0);
            l.put("examplesPerSecond", Math.round((trained - firstExamples) / ((endNanos - firstNanos) / 1e9)));
            if (cpuFrom >= 0 && trained > examplesFrom) {
                l.put("warmExamplesPerSecond", Math.round((trained - examplesFrom) / ((endNanos - fromNanos) / 1e9)));
                l.put("serviceCpuMicrosPerExample", Math.round((cpuTo - cpuFrom) / 1e3 / (trained - examplesFrom) * 100) / 100.0);
            } else {
                l.put("cpu", "the catch-up ended within a minute of the services' start: more --events for CPU per example");
            }
            groupAccuracy(l, services.get(0), events);
            l.put("modelVersion", JSON.readTree(services.get(0).body("/api/model")).path("modelVersion").asLong());
            KafkaBench.line(l);
        } finally {
            for (ChildService s : services) s.close();
        }
    }

    /** The newest examples count any instance reports (data-parallel: the newest version's, once an instance read it). */
    private static long newest(List<ChildService> services) {
        long most = 0;
        for (ChildService s : services) most = Math.max(most, s.trained());
        return most;
    }

    private static long cpu(List<ChildService> services) {
        long sum = 0;
        for (ChildService s : services) sum += s.cpuNanos();
        return sum;
    }

    /**
     * Correct over all labeled predictions, from /api/stats/confusion once it counts them all (after 60 s, over what it
     * counted by then: statsPredictions says how many).
     */
    private static void groupAccuracy(Map<String, Object> l, ChildService service, int events) throws Exception {
        JsonNode c = JSON.createObjectNode();
        for (int i = 0; i < 120; i++) {
            c = JSON.readTree(service.body("/api/stats/confusion"));
            if (c.path("total").asLong() >= events) break;
            Thread.sleep(500);
        }
        long correct = 0, total = c.path("total").asLong();
        JsonNode m = c.path("matrix");
        for (int k = 0; k < m.size(); k++) correct += m.get(k).get(k).asLong();
        l.put("groupPrequentialAccuracy", total == 0 ? null : Math.round(correct * 10_000.0 / total) / 10_000.0);
        l.put("statsPredictions", total);
    }
}
