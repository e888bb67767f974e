package io.mlpstream.pipeline;

import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.LabelDecoder;
import io.mlpstream.events.LabelEvent;
import io.mlpstream.events.LateExample;
import io.mlpstream.events.Prediction;
import io.mlpstream.metrics.LabelMeters;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.PendingLabels;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The delayed-label join: labels that come later. Unlabeled images wait in {@link PendingLabels}; a labels record is
 * matched to its image (or waits for it, or goes to labels-dlq with a reason). A match is learned by every model
 * at the record that completed it (the label; or the image, when its label came first and waited), so the offsets
 * and snapshots that make the images' learning exactly once do the same for late labels: a model restored from an
 * older snapshot reads that record again and learns the match again from what the store remembers of it. The
 * store is kept in a compacted changelog, written in the same transactions as the outputs and input offsets, and
 * read back at start. Each match is published on late-examples, scored by the predictions made on arrival, for
 * the statistics and for anyone who wants the labeled images.
 */
final class LateLabels {
    private static final Logger LOG = Logger.getLogger(LateLabels.class);

    private final MlpConfig config;
    private final Outputs outputs;
    private final LabelMeters meters;
    private final PendingLabels pending;
    private final LabelDecoder decoder;

    /**
     * What waits, as the changelog kept it ({@code stored}: each id's newest entry, oldest first); read after the
     * outputs have fenced an older instance, so that its open transaction is aborted.
     */
    LateLabels(MlpConfig config, Outputs outputs, LabelMeters meters, int classes, List<Map.Entry<String, Object>> stored) {
        this.config = config;
        this.outputs = outputs;
        this.meters = meters;
        this.decoder = new LabelDecoder(classes);
        this.pending = new PendingLabels(config.labels(), new PendingLabels.Changes() {
            @Override
            public void put(String id, Object entry) {
                outputs.pendingLabel(id, entry);
            }

            @Override
            public void remove(String id) {
                outputs.pendingLabel(id, null);
            }
        });
        stored.forEach(e -> pending.restore(e.getKey(), e.getValue()));
        // at most now: an entry an older build stored with a producer's future time must not move the stream's time
        if (!stored.isEmpty()) streamTime = Math.min(time(stored.get(stored.size() - 1).getValue()), System.currentTimeMillis());
        if (!stored.isEmpty()) {
            LOG.infof("Labels that come later: %d images and %d labels still waiting, from %s", pending.waitingImages(),
                    pending.waitingLabels(), config.topics().pendingLabels());
        }
        meters.bind(LabelDecoder.REASONS, pending::waitingImages, pending::waitingLabels);
    }

    private static long time(Object entry) {
        return entry instanceof PendingLabels.Image i ? i.arrivedAt()
                : entry instanceof PendingLabels.EarlyLabel l ? l.arrivedAt() : ((PendingLabels.Outcome) entry).at();
    }

    /** The stream's time: the newest record timestamp read. What waits expires by it, not by the wall clock. */
    private long streamTime;

    /**
     * An unlabeled image record: the label that waits for it, if one does (taken, and the match remembered at this
     * record); or, when the record is read again after a restore ({@code publish} false), the label it was matched
     * with then. Null: the image waits for its label.
     */
    Integer waitingLabel(String id, TopicPartition tp, long offset, long timestamp, boolean publish) {
        String at = at(tp, offset, timestamp);
        if (!publish) {
            PendingLabels.Outcome o = pending.matchedAt(id, at);
            return o == null ? null : o.label();
        }
        advance(timestamp);
        Integer label = pending.takeWaitingLabel(id, at, atMostNow(timestamp));
        if (label != null) meters.matched(); // the label came first: no delay between the prediction and the truth
        return label;
    }

    /** An unlabeled image was predicted and its predictions published: it waits for its label. */
    void unlabeled(String id, int width, int height, byte[] pixels, List<Prediction> predictions, TopicPartition tp, long offset,
                   long timestamp) {
        pending.image(new PendingLabels.Image(id, width, height, pixels, atMostNow(timestamp), predictions, at(tp, offset, timestamp)));
    }

    /** An image came with its label: a later label for it is a duplicate, or a conflict, and so is one waiting for it. */
    void labeled(String id, int label, long timestamp) {
        PendingLabels.Superseded s = pending.labeledInEvent(id, label, atMostNow(timestamp));
        if (s != null) {
            refuse(s.label().key(), s.label().record(), new InvalidEvent(s.why().reason(), s.why().detail()), s.label().source(), null);
        }
    }

    /**
     * A labels record, in offset order, answered once: matched (the example to learn is returned, and published on
     * late-examples for the statistics), kept until its image comes, or dead-lettered. What waits longer than the
     * record's time allows expires first.
     */
    LateExample label(TopicPartition tp, long offset, long timestamp, String key, byte[] value) {
        String source = tp + "-" + offset;
        advance(timestamp);
        expire();
        try {
            LabelEvent label = decoder.decode(key, value);
            PendingLabels.Result r = pending.label(new PendingLabels.EarlyLabel(label.id(), label.label(), atMostNow(timestamp), key,
                    value, source), at(tp, offset, timestamp));
            if (r instanceof PendingLabels.Refused refused) refuse(key, value, new InvalidEvent(refused.reason(), refused.detail()), source, tp);
            if (!(r instanceof PendingLabels.Matched m)) return null;
            LateExample example = example(m.image(), m.label(), atMostNow(timestamp));
            outputs.lateExample(example, tp);
            meters.matched();
            meters.delay(m.delayMillis());
            return example;
        } catch (InvalidEvent e) {
            refuse(key, value, e, source, tp);
            return null;
        }
    }

    /**
     * A labels record read again after a restore, by a model whose snapshot is older than the match it made: the
     * example to learn again, or null (it matched nothing then, or was answered before the snapshot).
     */
    LateExample replayed(TopicPartition tp, long offset, long timestamp, String key, byte[] value) {
        try {
            PendingLabels.Outcome o = pending.matchedAt(decoder.decode(key, value).id(), at(tp, offset, timestamp));
            if (o == null || o.image() == null) return null;
            return example(o.image(), o.label(), o.at());
        } catch (InvalidEvent e) {
            return null; // dead-lettered when it was first read
        }
    }

    /**
     * The stream's time goes on to the record's, at most now: a producer whose clock runs ahead (the broker accepts up
     * to an hour by default) must not move it, or everything that waits for a label would expire by it (review
     * finding 2).
     */
    private void advance(long timestamp) {
        streamTime = Math.max(streamTime, atMostNow(timestamp));
    }

    /** A record's time as what waits counts it: never ahead of now (review finding 2). */
    private static long atMostNow(long timestamp) {
        return Math.min(timestamp, System.currentTimeMillis());
    }

    /**
     * A record's identity for "read again": its position and its timestamp, since a recreated topic hands the same
     * positions out again (review finding 6).
     */
    private static String at(TopicPartition tp, long offset, long timestamp) {
        return tp + "@" + offset + "@" + timestamp;
    }

    /** On the trainer's thread: expired images are counted, labels whose image never came are dead-lettered. */
    void expire() {
        PendingLabels.Expired gone = pending.expire(streamTime);
        if (!gone.images().isEmpty()) {
            meters.expired(gone.images().size());
            LOG.infof("%d unlabeled images expired without their label (mlp.labels.max-delay=%s, max-pending=%d)",
                    gone.images().size(), config.labels().maxDelay(), config.labels().maxPending());
        }
        for (PendingLabels.EarlyLabel l : gone.labels()) {
            refuse(l.key(), l.record(), new InvalidEvent(LabelDecoder.UNKNOWN_ID, "no image " + l.id() + " arrived within "
                    + "mlp.labels.max-early (" + config.labels().maxEarly() + ")"), l.source(), null);
        }
        for (PendingLabels.EarlyLabel l : gone.pushedOut()) {
            refuse(l.key(), l.record(), new InvalidEvent(LabelDecoder.UNKNOWN_ID, "no image " + l.id() + " arrived before "
                    + "mlp.labels.max-pending (" + config.labels().maxPending() + ") newer labels pushed it out"), l.source(), null);
        }
    }

    private static LateExample example(PendingLabels.Image image, int label, long labeledAt) {
        List<Prediction> scored = image.predictions().stream().map(p -> p.scored(label)).toList();
        return new LateExample(image.id(), label, image.width(), image.height(), image.pixels(), image.arrivedAt(), labeledAt, scored);
    }

    private void refuse(String key, byte[] value, InvalidEvent why, String source, TopicPartition tp) {
        meters.refused(why.reason());
        outputs.labelDeadLetter(key, value, why, source, tp);
    }

    boolean isLabels(String topic) {
        return topic.equals(config.topics().labels());
    }
}
