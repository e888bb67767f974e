package io.mlpstream.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the live page shows beside the models themselves: the serving model's latest misclassified digits (the
 * last few dozen, in memory), the consumer lag, and when the last example arrived (training or idle).
 */
@ApplicationScoped
public class LiveState {
    /** How many misclassified digits are kept: enough for a page's gallery, small enough to send on connect. */
    public static final int KEPT = 36;

    /** A digit the serving model got wrong: its pixels as base64, as in the image event. */
    public record Misclassified(long seq, String id, String model, int label, int predicted, float confidence,
                                String pixels, int width, int height, long timestamp) {
    }

    private final Misclassified[] ring = new Misclassified[KEPT];
    private long added;
    private final AtomicLong lag = new AtomicLong();
    private volatile long lastExampleMillis;

    /** The trainer's thread, for each wrong prediction of the serving model: a copy of the reference, no more. */
    public void misclassified(String id, String model, int label, int predicted, float confidence, byte[] pixels, int side) {
        // encoded here, once per wrong prediction (about one in ten), never per page or per client
        String base64 = Base64.getEncoder().encodeToString(pixels);
        synchronized (ring) {
            ring[(int) (added % KEPT)] = new Misclassified(added, id, model, label, predicted, confidence, base64, side,
                    pixels.length / side, System.currentTimeMillis());
            added++;
        }
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
