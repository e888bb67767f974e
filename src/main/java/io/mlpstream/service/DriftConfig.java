package io.mlpstream.service;

import io.mlpstream.learn.Adwin;
import io.mlpstream.learn.DriftWatch;
import io.mlpstream.learn.PageHinkley;
import io.smallrye.config.WithDefault;

/** How each model watches its error stream for a drift, under {@code mlp.drift.} (README, "Drift"). */
public interface DriftConfig {
    /** adwin (Bifet and Gavaldà 2007), page-hinkley (Page 1954) or none. */
    @WithDefault("adwin")
    String detector();

    /**
     * alert (counted, published, logged); reset (the optimizer's state starts afresh, as after a change of task); or
     * background (a fresh copy learns from the warning on, and replaces the model once it predicts better).
     */
    @WithDefault("alert")
    String reaction();

    /** ADWIN's confidence for a drift: smaller, fewer false alarms and later detections (MOA's default). */
    @WithDefault("0.002")
    double delta();

    /** ADWIN's for a warning: looser, so that a warning comes before the drift. */
    @WithDefault("0.05")
    double warningDelta();

    /** Page-Hinkley's lambda for a drift. */
    @WithDefault("50")
    double threshold();

    /** Page-Hinkley's lambda for a warning. */
    @WithDefault("25")
    double warningThreshold();

    /** A new watch, as configured; an unknown detector or reaction refuses to start. */
    default DriftWatch watch() {
        resetOnDrift(); // refuses an unknown reaction at start, with the detector
        return switch (detector()) {
            case "adwin" -> DriftWatch.of(() -> new Adwin(delta()), () -> new Adwin(warningDelta()));
            case "page-hinkley" -> DriftWatch.of(() -> PageHinkley.withDefaults(threshold()), () -> PageHinkley.withDefaults(warningThreshold()));
            case "none" -> DriftWatch.none();
            default -> throw new IllegalArgumentException("mlp.drift.detector is adwin, page-hinkley or none, not " + detector());
        };
    }

    /** True for reaction=reset; an unknown reaction refuses to start. */
    default boolean resetOnDrift() {
        return switch (reaction()) {
            case "alert", "background" -> false;
            case "reset" -> true;
            default -> throw new IllegalArgumentException("mlp.drift.reaction is alert, reset or background, not " + reaction());
        };
    }

    default boolean background() {
        return "background".equals(reaction());
    }
}
