package io.mlpstream.service;

// Long because: the delayed-label join's three maps (waiting images, waiting labels, answered) are bounded and
// expired together; the pipeline (issue 24) renames it DelayedLabels.

import io.mlpstream.events.LabelDecoder;
import io.mlpstream.events.Prediction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images waiting for their labels and labels waiting for their images, matched by image id in either order
 * (River's delayed labels; chantilly's predict, then learn by id). An image waits at most max-delay, a label
 * max-early; what was matched or expired is remembered for max-delay, so that a second label is told apart from
 * an unknown one. Each map holds at most max-pending entries: past it the oldest goes, counted. Times are the
 * records' timestamps: a pause of the service does not count against what waits. Reading a record again (its
 * transaction aborted) gives what it gave the first time.
 *
 * <p>Plain Java, on the trainer's thread only. Every change is reported to {@link Changes}, which keeps it in
 * Kafka; {@link #restore} replays those changes after a restart.
 */
public final class PendingLabels {
    /** An unlabeled image, as it arrived, with every model's prediction of it then. */
    public record Image(String id, int width, int height, byte[] pixels, long arrivedAt, List<Prediction> predictions, String at) {
    }

    /** A label whose image has not arrived, with its record, for labels-dlq if the image never comes. */
    public record EarlyLabel(String id, int label, long arrivedAt, String key, byte[] record, String source) {
    }

    /**
     * What became of an id: matched, expired, or labeled inside its image event (that one is not persisted). A match
     * keeps where it was made ({@code matchedAt}, the record that completed it) and, when a label completed it, the
     * image: a model restored from an older snapshot learns it again when it reads that record again.
     */
    public record Outcome(String id, Kind kind, int label, long at, String matchedAt, Image image) {
        public enum Kind { MATCHED, EXPIRED, LABELED }
    }

    /** What a label or an image led to. */
    public sealed interface Result {
    }

    /** Train on it: the image and its label; delay = label time - image time. */
    public record Matched(Image image, int label, long delayMillis) implements Result {
    }

    /** The label waits for its image. */
    public record Waiting() implements Result {
    }

    /** The label cannot be used: a labels-dlq reason of {@link LabelDecoder}, and why. */
    public record Refused(String reason, String detail) implements Result {
    }

    /** Where the state is kept: each entry by id (an Image, an EarlyLabel or an Outcome), or its removal. */
    public interface Changes {
        void put(String id, Object entry);

        void remove(String id);
    }

    /**
     * What an expiry sweep found: images whose label never came, labels whose image never came within max-early, and
     * labels pushed out by max-pending.
     */
    public record Expired(List<Image> images, List<EarlyLabel> labels, List<EarlyLabel> pushedOut) {
    }

    /** A waiting label that an image with its own label made useless: a duplicate, or a conflict. */
    public record Superseded(EarlyLabel label, Refused why) {
    }

    private final LabelsConfig config;
    private final Changes changes;
    private final Map<String, Image> images = new LinkedHashMap<>();
    private final Map<String, EarlyLabel> early = new LinkedHashMap<>();
    /** Matches and expiries, each capped apart: a flood of expiring images never pushes a match out (review finding 1). */
    private final Map<String, Outcome> matches = new LinkedHashMap<>();
    private final Map<String, Outcome> expired = new LinkedHashMap<>();
    /** Images that came with their label: memory only, and apart, so that they never push a match out. */
    private final Map<String, Outcome> labeled = new LinkedHashMap<>();
    /** Pushed out by max-pending (or by a newer image of the same id) since the last sweep, reported by the next. */
    private final List<Image> expiredImages = new ArrayList<>();
    private final List<EarlyLabel> pushedOut = new ArrayList<>();

    public PendingLabels(LabelsConfig config, Changes changes) {
        this.config = config;
        this.changes = changes;
    }

    /**
     * An image arrived without a label, at {@code at} (its record): the label that waits for it, if one does, is
     * taken (the image is then learned as a labeled one); else null.
     */
    public Integer takeWaitingLabel(String id, String at, long now) {
        Outcome again = matchedAt(id, at);
        if (again != null) return again.label(); // the same record read again (its unit aborted): the same match
        if (config.maxPending() == 0) return null;
        EarlyLabel label = early.remove(id);
        if (label == null) return null;
        remember(new Outcome(id, Outcome.Kind.MATCHED, label.label(), now, at, null));
        return label.label();
    }

    /** The match made at record {@code at} for this id, when that record is read again; else null. */
    public Outcome matchedAt(String id, String at) {
        Outcome o = matches.get(id);
        return o != null && at.equals(o.matchedAt()) ? o : null;
    }

    /** An unlabeled image was predicted: it waits for its label (unless max-pending is 0: labels that come later are off). */
    public void image(Image image) {
        if (config.maxPending() == 0) return;
        Outcome old = outcome(image.id());
        if (old != null && image.at().equals(old.matchedAt())) return; // read again: matched already, by its waiting label
        if (old != null) { // the id is used again: a new image
            forget(image.id());
            changes.remove(image.id());
        }
        Image replaced = images.put(image.id(), image);
        if (replaced != null && !replaced.at().equals(image.at())) expiredImages.add(replaced); // its label is the newer image's
        changes.put(image.id(), image);
        if (images.size() > config.maxPending()) expireImage(images.values().iterator().next(), image.arrivedAt());
    }

    /**
     * An image arrived with its label: remembered for a while, so that a later label is a duplicate or a conflict;
     * a label that was waiting for it is one or the other now (null when none was).
     */
    public Superseded labeledInEvent(String id, int label, long now) {
        labeled.remove(id);
        labeled.put(id, new Outcome(id, Outcome.Kind.LABELED, label, now, null, null));
        if (labeled.size() > Math.max(1, config.maxPending())) labeled.remove(labeled.keySet().iterator().next());
        EarlyLabel waiting = early.remove(id);
        if (waiting == null) return null;
        changes.remove(id);
        return new Superseded(waiting, byEvent(id, label, waiting.label()));
    }

    private static Refused byEvent(String id, int inEvent, int label) {
        return inEvent == label ? new Refused(LabelDecoder.DUPLICATE, "the image " + id + " came with this label")
                : new Refused(LabelDecoder.CONFLICT, "the image " + id + " came with label " + inEvent + ", this label says " + label);
    }

    /** A label arrived, at record {@code at}: matched to its waiting image, kept until its image comes, or refused. */
    public Result label(EarlyLabel label, String at) {
        String id = label.id();
        Outcome again = matchedAt(id, at);
        if (again != null && again.image() != null) { // the same record read again (its unit aborted): the same match
            return new Matched(again.image(), again.label(), Math.max(0, again.at() - again.image().arrivedAt()));
        }
        Image image = images.remove(id);
        if (image != null) {
            remember(new Outcome(id, Outcome.Kind.MATCHED, label.label(), label.arrivedAt(), at, image));
            return new Matched(image, label.label(), Math.max(0, label.arrivedAt() - image.arrivedAt()));
        }
        Outcome known = outcome(id);
        if (known != null && known.kind() == Outcome.Kind.EXPIRED) {
            return new Refused(LabelDecoder.EXPIRED, "the image " + id + " waited longer than mlp.labels.max-delay ("
                    + config.maxDelay() + ") or was pushed out by mlp.labels.max-pending");
        }
        if (known != null) return new Refused(LabelDecoder.DUPLICATE, "the image " + id + " was already learned with label " + known.label());
        Outcome inEvent = labeled.get(id);
        if (inEvent != null) return byEvent(id, inEvent.label(), label.label());
        EarlyLabel waiting = early.get(id);
        if (waiting != null) {
            if (waiting.source().equals(label.source())) return new Waiting(); // read again
            return new Refused(LabelDecoder.DUPLICATE, "a label for " + id + " is already waiting for its image");
        }
        if (config.maxPending() == 0) {
            return new Refused(LabelDecoder.UNKNOWN_ID, "no image " + id + " is waiting (mlp.labels.max-pending=0: labels that come later are off)");
        }
        early.put(id, label);
        changes.put(id, label);
        if (early.size() > config.maxPending()) {
            EarlyLabel oldest = early.values().iterator().next();
            early.remove(oldest.id());
            changes.remove(oldest.id());
            pushedOut.add(oldest);
        }
        return new Waiting();
    }

    /** Images older than max-delay expire; labels older than max-early are given up; old outcomes are forgotten. */
    public Expired expire(long now) {
        List<Image> gone = new ArrayList<>(expiredImages);
        expiredImages.clear();
        for (Iterator<Image> it = images.values().iterator(); it.hasNext(); ) {
            Image image = it.next();
            if (now - image.arrivedAt() < config.maxDelay().toMillis()) break; // in arrival order
            it.remove();
            remember(new Outcome(image.id(), Outcome.Kind.EXPIRED, -1, now, null, null));
            gone.add(image);
        }
        List<EarlyLabel> pushed = new ArrayList<>(pushedOut), unknown = new ArrayList<>();
        pushedOut.clear();
        for (Iterator<EarlyLabel> it = early.values().iterator(); it.hasNext(); ) {
            EarlyLabel label = it.next();
            if (now - label.arrivedAt() < config.maxEarly().toMillis()) break;
            it.remove();
            changes.remove(label.id());
            unknown.add(label);
        }
        for (Map<String, Outcome> remembered : List.of(matches, expired)) {
            for (Iterator<Outcome> it = remembered.values().iterator(); it.hasNext(); ) {
                Outcome o = it.next();
                if (now - o.at() < config.maxDelay().toMillis()) break;
                it.remove();
                changes.remove(o.id());
            }
        }
        for (Iterator<Outcome> it = labeled.values().iterator(); it.hasNext(); ) { // in time order, as above: the expired lead
            if (now - it.next().at() < config.maxDelay().toMillis()) break;
            it.remove();
        }
        return new Expired(gone, unknown, pushed);
    }

    private void expireImage(Image oldest, long now) {
        images.remove(oldest.id());
        remember(new Outcome(oldest.id(), Outcome.Kind.EXPIRED, -1, now, null, null));
        expiredImages.add(oldest);
    }

    /** Matches and expiries, persisted: at most max-pending of each kind, the oldest of that kind forgotten first. */
    private void remember(Outcome outcome) {
        forget(outcome.id()); // re-inserted last: the map stays in time order
        Map<String, Outcome> kind = outcome.kind() == Outcome.Kind.MATCHED ? matches : expired;
        kind.put(outcome.id(), outcome);
        changes.put(outcome.id(), outcome);
        if (kind.size() > config.maxPending()) {
            Outcome oldest = kind.values().iterator().next();
            kind.remove(oldest.id());
            changes.remove(oldest.id());
        }
    }

    private Outcome outcome(String id) {
        Outcome m = matches.get(id);
        return m != null ? m : expired.get(id);
    }

    private void forget(String id) {
        matches.remove(id);
        expired.remove(id);
    }

    /** After a restart: the changes as {@link Changes} received them, in order; null is a removal. */
    public void restore(String id, Object entry) {
        images.remove(id);
        early.remove(id);
        forget(id);
        if (entry instanceof Image i) images.put(id, i);
        else if (entry instanceof EarlyLabel l) early.put(id, l);
        else if (entry instanceof Outcome o) (o.kind() == Outcome.Kind.MATCHED ? matches : expired).put(id, o);
    }

    public int waitingImages() {
        return images.size();
    }

    public int waitingLabels() {
        return early.size();
    }
}
