package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.broker.EmbeddedKafka;
import io.mlpstream.cli.Produce;
import io.mlpstream.data.IdxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The statistics' local state belongs to one cluster: the packaged service learns 300 digits on one
 * cluster, stops, and starts again with the same data directory against a fresh cluster. Its statistics
 * must count only the new cluster's 100 predictions, not 400.
 */
class StatsStateIT {

    @Test
    void aNewClusterWithAnOldDataDirectoryCountsOnlyItsOwnPredictions() throws Exception {
        Path dir = Files.createTempDirectory("mlp-stats-state-it");
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);

        try (EmbeddedKafka first = new EmbeddedKafka(dir.resolve("kafka-a"), 0).start()) {
            ServiceProcess svc = new ServiceProcess(first.bootstrapServers(), dir);
            Process service = svc.start(Map.of());
            try {
                svc.awaitReadiness(200, 60);
                Produce.send(first.bootstrapServers(), "images", images, labels, 300, 0, "a-", false);
                assertEquals(300, awaitTotal(svc, 300), "the first cluster's statistics");
            } finally {
                service.destroy();
                assertTrue(service.waitFor(60, TimeUnit.SECONDS));
            }
        }
        long logStart = Files.size(dir.resolve("service.log"));
        try (EmbeddedKafka second = new EmbeddedKafka(dir.resolve("kafka-b"), 0).start()) {
            ServiceProcess svc = new ServiceProcess(second.bootstrapServers(), dir); // the same data directory
            Process service = svc.start(Map.of());
            try {
                svc.awaitReadiness(200, 60);
                Produce.send(second.bootstrapServers(), "images", images, labels, 100, 0, "b-", false);
                awaitTotal(svc, 100);
                Thread.sleep(3000); // more would show now
                assertEquals(100, total(svc), "only the new cluster's predictions");
                String log = Files.readString(svc.log()).substring((int) logStart);
                assertTrue(log.contains("against another Kafka cluster"), "the log says why the state was wiped");
            } finally {
                service.destroy();
                service.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private static long awaitTotal(ServiceProcess svc, long atLeast) throws Exception {
        long total = 0;
        for (int i = 0; i < 240 && (total = total(svc)) < atLeast; i++) Thread.sleep(250);
        return total;
    }

    private static long total(ServiceProcess svc) throws Exception {
        return svc.get("/api/stats/confusion").path("total").asLong(-1);
    }
}
