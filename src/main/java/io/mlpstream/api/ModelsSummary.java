package io.mlpstream.api;

import io.mlpstream.service.LiveState;
import io.mlpstream.service.Models;
import java.util.List;

/**
 * The live page's status line and model table: what /api/models says, plus the serving model, examples per
 * second (over the last interval), lag and state (training, idle, or drift for a while after one).
 */
final class ModelsSummary {
    /** No example for this long: idle. */
    private static final long IDLE_MILLIS = 3000;

    /**
     * timestamp: the service's clock, which the page's charts use for every point. mode: single, data-parallel or
     * replica; shard: this instance's shards, "&lt;id&gt;-0, &lt;id&gt;-1" ("0" in single mode, "none" on a predictor replica).
     */
    record Status(String serving, String state, double examplesPerSecond, long lag, long timestamp, String mode, String shard,
                  List<ModelsResource.Entry> models) {
    }

    private final String mode;
    private final String shard;

    ModelsSummary(String mode, String shard) {
        this.mode = mode;
        this.shard = shard;
    }

    private String rateOf;
    private long lastPredicted = -1;
    private long lastNanos;
    private double rate;

    synchronized Status of(Models models, LiveState live) {
        String serving = models.servingName();
        List<ModelsResource.Entry> entries = models.all().stream()
                .map(m -> new ModelsResource.Entry(m.info(), m.name().equals(serving))).toList();
        entries.stream().filter(ModelsResource.Entry::serving).findFirst().ifPresent(e -> measure(e.info().model(), e.info().examplesPredicted()));
        boolean idle = System.currentTimeMillis() - live.lastExampleMillis() > IDLE_MILLIS;
        String state = serving == null ? "starting" : live.drifting() ? "drift" : idle ? "idle" : "training";
        return new Status(serving, state, idle ? 0 : rate, live.lag(), System.currentTimeMillis(), mode, shard, entries);
    }

    /** Examples per second of the serving model, from its count; a new serving model starts a new count. */
    private void measure(String model, long predicted) {
        long now = System.nanoTime();
        if (!model.equals(rateOf) || lastPredicted < 0) {
            rateOf = model;
            lastPredicted = predicted;
            lastNanos = now;
        } else if (now - lastNanos > 200_000_000L) {
            rate = (predicted - lastPredicted) / ((now - lastNanos) / 1e9);
            lastPredicted = predicted;
            lastNanos = now;
        }
    }
}
