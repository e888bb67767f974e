package io.mlpstream.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statistics' state belongs to one cluster; what else lives in the state directory is not ours to delete. */
class StateOwnerTest {
    @TempDir
    Path dir;

    /** Review finding 13: kafka-streams.state.dir pointed at a shared directory (like /tmp) must not be emptied. */
    @Test
    void aSharedStateDirectoryKeepsWhatIsNotTheStatistics() throws Exception {
        Files.createDirectories(dir.resolve("keep"));
        Files.writeString(dir.resolve("keep/file.txt"), "someone else's");
        Files.createDirectories(dir.resolve("mlp-stream-stats/0_0"));

        assertTrue(StateOwner.claim(dir, "mlp-stream-stats", "cluster-a", null), "state of unknown origin is wiped");
        assertTrue(Files.exists(dir.resolve("keep/file.txt")), "a file that is not the statistics' state is kept");
        assertFalse(Files.exists(dir.resolve("mlp-stream-stats/0_0")), "the statistics' own state is wiped");
    }

    @Test
    void stateOfAnotherClusterIsWipedAndOfTheSameOneKept() throws Exception {
        StateOwner.claim(dir, "mlp-stream-stats", "cluster-a", "t1");
        Files.createDirectories(dir.resolve("mlp-stream-stats/0_0"));
        assertFalse(StateOwner.claim(dir, "mlp-stream-stats", "cluster-a", "t1"));
        assertTrue(Files.exists(dir.resolve("mlp-stream-stats/0_0")));
        assertTrue(StateOwner.claim(dir, "mlp-stream-stats", "cluster-b", "t1"));
        assertFalse(Files.exists(dir.resolve("mlp-stream-stats/0_0")));
    }
}
