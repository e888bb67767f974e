package io.mlpstream.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The statistics' local state (Kafka Streams stores under {@code kafka-streams.state.dir}) belongs to one
 * Kafka cluster and one predictions topic: a file beside it names both. State built against another
 * cluster, or against a predictions topic since deleted and created again, would count that cluster's
 * predictions in this one's statistics; it is wiped, and rebuilt from this cluster's changelogs.
 */
final class StateOwner {
    private static final Logger LOG = Logger.getLogger(StateOwner.class);
    static final String FILE = "mlp-stream-owner";

    private StateOwner() {
    }

    /**
     * @param stateDir {@code kafka-streams.state.dir}, which may be shared: only the application's own directory in it
     *                 (Kafka Streams keeps its stores under {@code <state.dir>/<application.id>}) is ever wiped
     * @param clusterId the cluster's id
     * @param topicId the predictions topic's id, or null while it does not exist yet
     * @return true if state from elsewhere was wiped
     */
    static boolean claim(Path stateDir, String applicationId, String clusterId, String topicId) {
        Path state = stateDir.resolve(applicationId);
        try {
            Files.createDirectories(stateDir);
            Path marker = stateDir.resolve(FILE);
            String[] was = Files.exists(marker) ? Files.readString(marker).trim().split(" ", -1) : null;
            boolean otherCluster = was != null && !was[0].equals(clusterId);
            boolean otherTopic = was != null && was.length > 1 && !was[1].isEmpty() && topicId != null && !was[1].equals(topicId);
            boolean unknown = was == null && hasState(state); // written before owners were recorded
            boolean wipe = (otherCluster || otherTopic || unknown) && Files.exists(state);
            if (wipe) {
                LOG.warnf("The statistics' state in %s was built %s: wiping it, the statistics are rebuilt from this "
                        + "cluster's changelogs", state, otherCluster ? "against another Kafka cluster (" + was[0] + ", now "
                        + clusterId + ")" : otherTopic ? "from a predictions topic since recreated" : "before its cluster was recorded");
                deleteTree(state);
            }
            Files.writeString(marker, clusterId + " " + (topicId == null ? "" : topicId));
            return wipe;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check the statistics' state in " + state, e);
        }
    }

    private static boolean hasState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> Files.isDirectory(p));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
