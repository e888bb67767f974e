package io.mlpstream.api;

import io.mlpstream.service.LiveState;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import java.util.List;

/**
 * The live page's status line and model table: what /api/models says, plus the serving model, examples per
 * second (over the last interval), lag and state (training, idle).
 */
final class ModelsSummary {
    /** No example for this long: idle. */
    private static final long IDLE_MILLIS = 3000;

    record Status(String serving, String state, double examplesPerSecond, long lag, List<ModelsResource.Entry> models) {
    }

    private long lastTrained = -1;
    private long lastNanos;
    private double rate;

    synchronized Status of(Models models, LiveState live) {
        String serving = models.servingName();
        RunningModel s = models.serving();
        if (s != null) {
            long trained = s.trainer().examplesPredicted(), now = System.nanoTime();
            if (lastTrained >= 0 && now - lastNanos > 200_000_000L) {
                rate = (trained - lastTrained) / ((now - lastNanos) / 1e9);
                lastTrained = trained;
                lastNanos = now;
            } else if (lastTrained < 0) {
                lastTrained = trained;
                lastNanos = now;
            }
        }
        boolean idle = System.currentTimeMillis() - live.lastExampleMillis() > IDLE_MILLIS;
        List<ModelsResource.Entry> entries = models.all().stream()
                .map(m -> new ModelsResource.Entry(m.info(), m.name().equals(serving))).toList();
        return new Status(serving, serving == null ? "starting" : idle ? "idle" : "training", idle ? 0 : rate, live.lag(), entries);
    }
}
