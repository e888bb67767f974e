package io.mlpstream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Review section B (#12): every case of the routing, without a broker. Two models, "a" and "b", on partition 0 of
 * images; what the consumer knows of it comes as a {@link Positions.Log}.
 */
class PositionsTest {
    private static final TopicPartition P0 = new TopicPartition("images", 0);
    private static final List<String> AB = List.of("a", "b");
    private final List<String> gaps = new ArrayList<>();
    private final Positions positions = new Positions(new Positions.Gaps() {
        @Override
        public void beyondLogEnd() {
            gaps.add("beyond");
        }

        @Override
        public void outOfRetention(String model, long records) {
            gaps.add(model + " lost " + records);
        }
    });

    private static Positions.Resume fresh(String model) {
        return new Positions.Resume(model, Map.of(), false);
    }

    private static Positions.Resume restored(String model, long next) {
        return new Positions.Resume(model, Map.of("images-0", next), true);
    }

    private Map<TopicPartition, Long> assign(Long committed, long earliest, long end, long position, Positions.Resume... models) {
        return positions.assign(Map.of(P0, new Positions.Log(committed, earliest, end)), List.of(models), tp -> position);
    }

    @Test
    void aNewGroupOfFreshModelsStartsWhereAutoOffsetResetPutTheConsumer() {
        // auto.offset.reset=latest put the consumer at the end, 500: nothing is sought, and the first record is 500
        assertEquals(Map.of(), assign(null, 0, 500, 500, fresh("a"), fresh("b")));
        assertEquals(Map.of("images-0", 500L), positions.learnedOffsets("a"), "the starting snapshot names 500");
        assertEquals(new Route(true, 0b11), positions.route(P0, 500, AB));
    }

    @Test
    void aRestoredModelBehindTheOutputsReplaysLearnOnly() {
        // the outputs were committed up to 100; a's snapshot is at 60, b's at 100
        assertEquals(Map.of(P0, 60L), assign(100L, 0, 200, 0, restored("a", 60), restored("b", 100)));
        assertEquals(new Route(false, 0b01), positions.route(P0, 60, AB), "learned by a, not published again");
        assertEquals(new Route(false, 0b01), positions.route(P0, 99, AB));
        assertEquals(new Route(true, 0b11), positions.route(P0, 100, AB), "published and learned by both");
    }

    @Test
    void outputsBehindASnapshotArePublishedButNotLearnedAgain() {
        // at-least-once: a snapshot (80) ahead of the committed offsets (50)
        assertEquals(Map.of(P0, 50L), assign(50L, 0, 200, 0, restored("a", 80), restored("b", 80)));
        assertEquals(new Route(true, 0), positions.route(P0, 50, AB), "published only");
        assertEquals(new Route(true, 0b11), positions.route(P0, 80, AB));
    }

    @Test
    void aRecordSeenBeforeOrOfAPartitionGivenUpIsSkipped() {
        assign(10L, 0, 200, 0, restored("a", 10), restored("b", 10));
        assertTrue(positions.route(P0, 10, AB).publish());
        assertTrue(positions.route(P0, 10, AB).skip(), "polled again: published and learned already");
        positions.giveUp(List.of(P0), positions.epoch(), false);
        assertTrue(positions.route(P0, 11, AB).skip(), "revoked while it waited: its new owner's");
        assertEquals(Map.of(), positions.learnedOffsets("a"), "a revoked partition leaves the snapshot");
    }

    /**
     * Data-parallel (DataParallelIT found it): this instance learned a partition up to 0, gave it up, another shard
     * learned and committed up to 500 (its update holds those examples). Taken back, the partition starts at 500: the
     * group's model has learned what is before it, and learning it again here would count 500 examples twice.
     */
    @Test
    void aShardTakingAPartitionBackStartsWhereTheGroupCommitted() {
        assign(null, 0, 0, 0, fresh("a"));
        positions.learnTogether();
        positions.giveUp(List.of(P0), positions.epoch(), false);
        assertEquals(Map.of(P0, 500L), assign(500L, 0, 900, 0, fresh("a")));
        assertEquals(new Route(true, 0b01), positions.route(P0, 500, List.of("a")), "published and learned from 500 on");

        Positions single = new Positions(new Positions.Gaps() {
            @Override
            public void beyondLogEnd() {
            }

            @Override
            public void outOfRetention(String model, long records) {
            }
        });
        single.assign(Map.of(P0, new Positions.Log(null, 0, 0)), List.of(fresh("a")), tp -> 0);
        single.giveUp(List.of(P0), single.epoch(), false);
        assertEquals(Map.of(P0, 0L), single.assign(Map.of(P0, new Positions.Log(500L, 0, 900)), List.of(fresh("a")), tp -> 0),
                "single mode: this process's model has learned nothing past 0, so it replays to learn (the case above)");
    }

    @Test
    void aModelAddedMidAssignmentLearnsFromTheNextRecord() {
        assign(10L, 0, 200, 0, restored("a", 10));
        assertEquals(new Route(true, 0b01), positions.route(P0, 10, List.of("a")));
        assertEquals(new Route(true, 0b11), positions.route(P0, 11, List.of("a", "added")), "learned by the new model too");
        assertEquals(11L, positions.learnedOffsets("added").get("images-0"), "its snapshot starts at the first record it learns");
    }

    @Test
    void aGiveUpAskedBeforeANewerAssignmentChangesNothing() {
        assign(10L, 0, 200, 0, restored("a", 10));
        long asked = positions.epoch();
        positions.assign(Map.of(new TopicPartition("images", 1), new Positions.Log(0L, 0, 5)), List.of(restored("a", 10)), tp -> 0);
        positions.giveUp(List.of(P0), asked, false);
        assertTrue(positions.owns(P0), "the later assignment kept it");
    }

    @Test
    void lostPartitionsForgetTheOutputsTheyNeverCommitted() {
        assign(10L, 0, 200, 0, restored("a", 10));
        for (long o = 10; o < 20; o++) positions.route(P0, o, List.of("a")); // outputs up to 20, in an open unit
        positions.giveUp(List.of(P0), positions.epoch(), true); // lost: that unit is dropped
        assertEquals(Map.of(P0, 10L), assign(10L, 0, 200, 0, restored("a", 10)), "from the group's committed offset again");
        assertEquals(new Route(true, 0), positions.route(P0, 10, List.of("a")), "published again, learned once");
    }

    @Test
    void offsetsBeyondTheLogsEndStartOverFromItsEarliest() {
        // the topic was recreated: it ends at 5, the group committed 1000 and the model learned up to 900
        assertEquals(Map.of(P0, 0L), assign(1000L, 0, 5, 0, restored("a", 900)));
        assertEquals(List.of("beyond"), gaps);
        assertEquals(new Route(true, 0b1), positions.route(P0, 0, List.of("a")));
    }

    @Test
    void recordsGoneByRetentionAreCountedAndSkipped() {
        assertEquals(Map.of(P0, 30L), assign(30L, 30, 100, 0, restored("a", 10)));
        assertEquals(List.of("a lost 20"), gaps);
        assertFalse(positions.route(P0, 30, List.of("a")).skip());
    }

    @Test
    void aRestoredModelHasLearnedNothingOfAPartitionItsSnapshotDoesNotName() {
        Positions.Resume other = new Positions.Resume("a", Map.of("images-7", 3L), true);
        assertEquals(Map.of(P0, 4L), assign(40L, 4, 100, 0, other), "from the earliest offset, 4, not the group's 40");
        assertEquals(new Route(false, 0b1), positions.route(P0, 4, List.of("a")));
    }
}
