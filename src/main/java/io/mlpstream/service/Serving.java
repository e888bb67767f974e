package io.mlpstream.service;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which model serves ({@code mlp.serving-model}): a configured name; or {@code best}, the highest window
 * accuracy as {@link BestModel} decides, starting from the choice the service had made before a restart;
 * or by default the only model, {@code relu} in the lab, else the alphabetically first.
 */
final class Serving {
    private final String configured;
    private final boolean lab;
    private final BestModel best;
    private volatile String name;

    Serving(MlpConfig config, List<String> modelNames) {
        this.configured = config.servingModel().orElse("");
        this.lab = config.lab();
        if (!configured.isEmpty() && !configured.equals("best") && !modelNames.contains(configured)) {
            throw new IllegalArgumentException("mlp.serving-model=" + configured + " is none of the models " + modelNames + " (or best)");
        }
        MlpConfig.Serving s = config.serving();
        this.best = configured.equals("best") ? new BestModel(s.burnIn(), s.margin(), s.patience()) : null;
    }

    /** The serving model's name; null until the models are built. */
    String name() {
        return name;
    }

    void set(String model) {
        name = model;
    }

    /** At start: with best, the choice made before the restart ({@code remembered}), if that model is still trained. */
    void start(List<RunningModel> models, String remembered) {
        boolean known = remembered != null && models.stream().anyMatch(m -> m.name().equals(remembered));
        name = best != null && known ? remembered : byDefault(models);
    }

    /** The configured name, else relu in the lab, else the alphabetically first. */
    private String byDefault(List<RunningModel> models) {
        if (!configured.isEmpty() && !configured.equals("best") && has(models, configured)) return configured;
        if (lab && has(models, LabPreset.SERVING)) return LabPreset.SERVING;
        return models.get(0).name();
    }

    /** With best: the model that should serve now (the current one unless a challenger has led long enough). */
    String choose(List<RunningModel> models) {
        if (best == null) return name;
        Map<String, BestModel.Score> scores = new HashMap<>();
        for (RunningModel m : models) {
            var acc = m.trainer().accuracy();
            scores.put(m.name(), new BestModel.Score(acc.window(), acc.seen()));
        }
        return best.choose(name, scores);
    }

    /** Who serves once the serving model is removed: with best, the best of the rest; else as by default. */
    String after(List<RunningModel> remaining) {
        if (best == null) return byDefault(remaining);
        return remaining.stream().max(Comparator.comparingDouble(m -> finite(m.trainer().accuracy().window()))).orElseThrow().name();
    }

    private static double finite(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    private static boolean has(List<RunningModel> models, String model) {
        return models.stream().anyMatch(m -> m.name().equals(model));
    }
}
