package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.events.LabelDecoder;
import io.mlpstream.events.Prediction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Matching images and labels by id in either order, and what is refused, expired and remembered. */
class PendingLabelsTest {
    private final Map<String, Object> changelog = new LinkedHashMap<>();
    private final PendingLabels.Changes changes = new PendingLabels.Changes() {
        @Override
        public void put(String id, Object entry) {
            changelog.put(id, entry);
        }

        @Override
        public void remove(String id) {
            changelog.remove(id);
        }
    };

    private static LabelsConfig config(long maxDelayMs, long maxEarlyMs, int maxPending) {
        return new LabelsConfig() {
            public Duration maxDelay() {
                return Duration.ofMillis(maxDelayMs);
            }

            public Duration maxEarly() {
                return Duration.ofMillis(maxEarlyMs);
            }

            public int maxPending() {
                return maxPending;
            }
        };
    }

    private static PendingLabels.Image image(String id, long at) {
        return new PendingLabels.Image(id, 2, 1, new byte[]{1, 2}, at,
                List.of(Prediction.of(id, new float[]{(float) Math.log(0.9), (float) Math.log(0.1)}, null, "m", 3, at)), "images-0@" + id);
    }

    private static PendingLabels.EarlyLabel label(String id, int label, long at) {
        return new PendingLabels.EarlyLabel(id, label, at, id, new byte[0], "labels-0-" + at);
    }

    @Test
    void anImageMeetsItsLabelInEitherOrder() {
        PendingLabels p = new PendingLabels(config(10_000, 1_000, 100), changes);
        assertEquals(null, p.takeWaitingLabel("a", "images-0@0", 0));
        p.image(image("a", 0));
        PendingLabels.Matched m = assertInstanceOf(PendingLabels.Matched.class, p.label(label("a", 1, 250), "labels-0@7"));
        assertEquals(1, m.label());
        assertEquals(250, m.delayMillis());
        assertEquals("a", m.image().id());
        assertEquals(1, p.matchedAt("a", "labels-0@7").label(), "remembered where it was matched, with its image");
        assertEquals("a", p.matchedAt("a", "labels-0@7").image().id());
        assertEquals(null, p.matchedAt("a", "labels-0@8"));

        assertInstanceOf(PendingLabels.Waiting.class, p.label(label("b", 0, 300), "labels-0@9"));
        assertEquals(1, p.waitingLabels());
        assertEquals(0, p.takeWaitingLabel("b", "images-1@4", 400), "the label came first: the image is a labeled one");
        assertEquals(0, p.matchedAt("b", "images-1@4").label());
        assertEquals(0, p.waitingImages());
        assertEquals(0, p.waitingLabels());
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, p.label(label("b", 0, 500), "labels-0@10")).reason());
    }

    @Test
    void aSecondLabelIsADuplicateAndOneThatDisagreesWithTheEventIsAConflict() {
        PendingLabels p = new PendingLabels(config(10_000, 1_000, 100), changes);
        p.image(image("a", 0));
        p.label(label("a", 1, 10), "labels-0@" + 10);
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, p.label(label("a", 1, 20), "labels-0@" + 20)).reason());
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, p.label(label("a", 0, 20), "labels-0@" + 20)).reason(),
                "a second label of an image already learned, whatever it says");
        p.labeledInEvent("e", 4, 30);
        assertEquals(LabelDecoder.CONFLICT, assertInstanceOf(PendingLabels.Refused.class, p.label(label("e", 5, 40), "labels-0@" + 41)).reason());
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, p.label(label("e", 4, 40), "labels-0@" + 42)).reason());
        p.label(label("w", 6, 50), "labels-0@50");
        PendingLabels.Superseded s = p.labeledInEvent("w", 7, 60);
        assertEquals(LabelDecoder.CONFLICT, s.why().reason(), "a label waiting for an image that came with another one");
        assertEquals(0, p.waitingLabels());
    }

    /** A record read again, its transaction aborted, gives what it gave: not a duplicate, not an expiry. */
    @Test
    void aRecordReadAgainGivesWhatItGaveTheFirstTime() {
        PendingLabels p = new PendingLabels(config(10_000, 1_000, 100), changes);
        p.image(image("a", 0));
        PendingLabels.Matched first = assertInstanceOf(PendingLabels.Matched.class, p.label(label("a", 1, 10), "labels-0@3"));
        PendingLabels.Matched again = assertInstanceOf(PendingLabels.Matched.class, p.label(label("a", 1, 10), "labels-0@3"));
        assertEquals(first.image().id(), again.image().id());
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, p.label(label("a", 1, 20), "labels-0@4")).reason());
        p.label(label("b", 2, 30), "labels-0@5");
        assertEquals(2, p.takeWaitingLabel("b", "images-0@9", 40));
        assertEquals(2, p.takeWaitingLabel("b", "images-0@9", 40), "the image read again");
        p.image(image("c", 50));
        p.image(image("c", 50));
        assertTrue(p.expire(60).images().isEmpty(), "an image read again is not a second one");
    }

    /** Images that come with their labels are remembered apart: however many, they never push a match out. */
    @Test
    void labeledImagesNeverPushAMatchOut() {
        PendingLabels p = new PendingLabels(config(60_000, 1_000, 10), changes);
        p.image(image("a", 0));
        p.label(label("a", 1, 10), "labels-0@1");
        for (int i = 0; i < 100; i++) p.labeledInEvent("l" + i, 3, 20 + i);
        assertEquals(1, p.matchedAt("a", "labels-0@1").label());
    }

    /**
     * Review finding 1: images that expire (pushed out by max-pending) must not push a match out, in memory or in the
     * changelog, or a model restored from an older snapshot never learns that match again after a kill -9.
     */
    @Test
    void expiredImagesNeverPushAMatchOutOfTheChangelog() {
        PendingLabels p = new PendingLabels(config(3_600_000, 60_000, 50), changes);
        for (int i = 0; i < 10; i++) {
            p.image(image("a-" + i, i));
            p.label(label("a-" + i, i % 10, 100 + i), "labels-0@" + i);
        }
        for (int i = 0; i < 100; i++) p.image(image("b-" + i, 200 + i)); // 50 of them expire, pushed out by max-pending
        assertEquals(50, p.expire(400).images().size());
        PendingLabels restored = new PendingLabels(config(3_600_000, 60_000, 50), changes);
        new LinkedHashMap<>(changelog).forEach(restored::restore);
        for (int i = 0; i < 10; i++) {
            PendingLabels.Outcome match = restored.matchedAt("a-" + i, "labels-0@" + i);
            assertTrue(match != null && match.image() != null, "the match of a-" + i + " is still in the changelog");
        }
        assertEquals(LabelDecoder.EXPIRED, assertInstanceOf(PendingLabels.Refused.class,
                restored.label(label("b-0", 1, 500), "labels-0@500")).reason(), "an expired image is still told apart");
    }

    @Test
    void imagesExpireAfterMaxDelayAndLabelsOfUnknownImagesAfterMaxEarly() {
        PendingLabels p = new PendingLabels(config(1_000, 200, 100), changes);
        p.image(image("old", 0));
        p.label(label("ghost", 3, 0), "labels-0@" + 0);
        PendingLabels.Expired none = p.expire(150);
        assertTrue(none.images().isEmpty() && none.labels().isEmpty());
        PendingLabels.Expired labels = p.expire(250);
        assertEquals(List.of("ghost"), labels.labels().stream().map(PendingLabels.EarlyLabel::id).toList());
        assertTrue(labels.images().isEmpty());
        PendingLabels.Expired images = p.expire(1_000);
        assertEquals(List.of("old"), images.images().stream().map(PendingLabels.Image::id).toList());
        assertEquals(LabelDecoder.EXPIRED, assertInstanceOf(PendingLabels.Refused.class, p.label(label("old", 1, 1_100), "labels-0@" + 1_100)).reason());
        p.expire(2_100); // remembered for max-delay, then forgotten: the id is unknown again
        assertInstanceOf(PendingLabels.Waiting.class, p.label(label("old", 1, 2_200), "labels-0@" + 2_200));
    }

    @Test
    void atMostMaxPendingImagesWaitThePushedOutOnesExpire() {
        PendingLabels p = new PendingLabels(config(60_000, 1_000, 3), changes);
        for (int i = 0; i < 5; i++) p.image(image("i" + i, i));
        assertEquals(3, p.waitingImages());
        assertEquals(List.of("i0", "i1"), p.expire(10).images().stream().map(PendingLabels.Image::id).toList());
        assertEquals(LabelDecoder.EXPIRED, assertInstanceOf(PendingLabels.Refused.class, p.label(label("i0", 1, 20), "labels-0@" + 20)).reason());
        assertInstanceOf(PendingLabels.Matched.class, p.label(label("i4", 1, 20), "labels-0@" + 20));
    }

    /** What the changelog holds is the state: a store rebuilt from it matches and refuses as the first one would. */
    @Test
    void aStoreRestoredFromItsChangelogGoesOnWhereTheFirstStopped() {
        PendingLabels p = new PendingLabels(config(10_000, 5_000, 100), changes);
        p.image(image("waiting", 0));
        p.label(label("early", 2, 10), "labels-0@" + 10);
        p.image(image("done", 20));
        p.label(label("done", 1, 30), "labels-0@" + 30);
        PendingLabels restored = new PendingLabels(config(10_000, 5_000, 100), changes);
        Map<String, Object> copy = new LinkedHashMap<>(changelog);
        copy.forEach(restored::restore);
        assertEquals(1, restored.waitingImages());
        assertEquals(1, restored.waitingLabels());
        assertEquals("done", restored.matchedAt("done", "labels-0@" + 30).image().id(), "a replay finds the match");
        assertInstanceOf(PendingLabels.Matched.class, restored.label(label("waiting", 7, 40), "labels-0@" + 40));
        assertEquals(2, restored.takeWaitingLabel("early", "images-0@50", 50));
        assertEquals(LabelDecoder.DUPLICATE, assertInstanceOf(PendingLabels.Refused.class, restored.label(label("done", 1, 60), "labels-0@" + 60)).reason());
    }
}
