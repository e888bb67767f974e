package io.mlpstream.service;

import io.mlpstream.events.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the live page shows beside the models themselves: the serving model's latest misclassified digits (the
 * last few dozen, in memory), drift events, the consumer lag, and when the last example arrived (training, idle
 * or drift).
 */
@ApplicationScoped
public class LiveState {
    /** How many misclassified digits are kept: enough for a page's gallery, small enough to send on connect. */
    public static final int KEPT = 36;

    /** A digit the serving model got wrong; its pixels are written as base64 in JSON, as in the image event. */
    public record Misclassified(long seq, String id, String model, int label, int predicted, float confidence,
                                byte[] pixels, int width, int height, long timestamp) {
    }

    /** How long the state shows "drift" after one. */
    private static final long DRIFT_SHOWN_MILLIS = 30_000;
    /** Training events not yet sent to the pages: bounded, the oldest dropped (a page shows the recent ones). */
    private final ConcurrentLinkedQueue<TrainingEvent> events = new ConcurrentLinkedQueue<>();
    private volatile long lastDriftMillis;

    private final Misclassified[] ring = new Misclassified[KEPT];
    private long added;
    private final AtomicLong lag = new AtomicLong();
    private volatile long lastExampleMillis;

    /** The trainer's thread, for each wrong prediction of the serving model: a reference to its pixels, no copy. */
    public void misclassified(String id, String model, int label, int predicted, float confidence, byte[] pixels, int side) {
        synchronized (ring) {
            ring[(int) (added % KEPT)] = new Misclassified(added, id, model, label, predicted, confidence, pixels, side,
                    pixels.length / side, System.currentTimeMillis());
            added++;
        }
    }

    /** A drift warning, detection or reset, for the pages (the trainer's thread). */
    public void trainingEvent(TrainingEvent e) {
        if (TrainingEvent.DRIFT.equals(e.type())) lastDriftMillis = System.currentTimeMillis();
        events.add(e);
        while (events.size() > 100) events.poll();
    }

    /** The events not yet taken, oldest first; the feed's thread. */
    public List<TrainingEvent> takeEvents() {
        List<TrainingEvent> out = new ArrayList<>();
        for (TrainingEvent e; (e = events.poll()) != null; ) out.add(e);
        return out;
    }

    /** True for a while after a drift was detected. */
    public boolean drifting() {
        return lastDriftMillis > 0 && System.currentTimeMillis() - lastDriftMillis < DRIFT_SHOWN_MILLIS;
    }

    /** The kept ones with a sequence number of at least {@code from}, oldest first. */
    public List<Misclassified> misclassifiedSince(long from) {
        List<Misclassified> out = new ArrayList<>();
        synchronized (ring) {
            for (long s = Math.max(from, added - KEPT); s < added; s++) out.add(ring[(int) (s % KEPT)]);
        }
        return out;
    }

    public void examplesArrived() {
        lastExampleMillis = System.currentTimeMillis();
    }

    /** Epoch milliseconds of the last chunk of examples; 0 before the first. */
    public long lastExampleMillis() {
        return lastExampleMillis;
    }

    public void lag(long records) {
        lag.set(records);
    }

    public long lag() {
        return lag.get();
    }
}
