package io.mlpstream.service;

import java.util.Map;

/**
 * {@code mlp.serving-model=best}: the model with the highest window accuracy serves. A model is a candidate
 * once it has been scored on {@code burnIn} labeled examples, and the serving model keeps serving while its
 * own window is empty (just after a restart). A challenger takes over only after it has
 * led the serving model by {@code margin} for {@code patience} labeled examples in a row, so that two
 * models that trade the lead by a hair do not make the serving model flap (River's model selection keeps
 * one model too, but re-decides at every example).
 */
public final class BestModel {
    /** What is known of one model: its window accuracy and how many labeled examples it was scored on. */
    public record Score(double windowAccuracy, long scored) {
    }

    private final long burnIn;
    private final double margin;
    private final long patience;
    private String challenger;
    /** The challenger's scored count when its lead began. */
    private long leadingSince;

    public BestModel(long burnIn, double margin, long patience) {
        this.burnIn = burnIn;
        this.margin = margin;
        this.patience = patience;
    }

    /** The model that should serve now; {@code current} unless a challenger has led long enough. */
    public String choose(String current, Map<String, Score> scores) {
        Score served = scores.get(current);
        String leader = null;
        double best = Double.NEGATIVE_INFINITY;
        for (var e : scores.entrySet()) {
            Score s = e.getValue();
            if (s.scored() < burnIn || Double.isNaN(s.windowAccuracy())) continue;
            if (s.windowAccuracy() > best) {
                best = s.windowAccuracy();
                leader = e.getKey();
            }
        }
        if (served == null) return leader != null ? leader : current; // the serving model was removed
        if (Double.isNaN(served.windowAccuracy())) return current; // nothing to compare yet (a restart empties windows)
        if (leader == null || leader.equals(current) || best < served.windowAccuracy() + margin) {
            challenger = null;
            return current;
        }
        if (!leader.equals(challenger)) {
            challenger = leader;
            leadingSince = scores.get(leader).scored();
            return current;
        }
        if (scores.get(leader).scored() - leadingSince < patience) return current;
        challenger = null;
        return leader;
    }
}
