package io.mlpstream.service;

import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restored model keeps of its own that the configuration asks otherwise: a checkpoint carries
 * its optimizer's settings and its model's (dropout, init, seed), and the restored model goes on with
 * them, as torch's optimizer.load_state_dict does.
 */
final class ConfigDiff {
    private ConfigDiff() {
    }

    /** "lr 0.001 (configured 0.0015)"-style entries, one per setting that differs; empty when none does. */
    static List<String> of(ModelConfig configured, ModelConfig restored, OptimizerConfig configuredOpt, OptimizerConfig restoredOpt) {
        List<String> d = new ArrayList<>();
        add(d, "optimizer", restoredOpt.type().label(), configuredOpt.type().label());
        add(d, "lr", restoredOpt.lr(), configuredOpt.lr());
        add(d, "momentum", restoredOpt.momentum(), configuredOpt.momentum());
        add(d, "nesterov", restoredOpt.nesterov(), configuredOpt.nesterov());
        add(d, "weight decay", restoredOpt.weightDecay(), configuredOpt.weightDecay());
        add(d, "clip norm", restoredOpt.clipNorm(), configuredOpt.clipNorm());
        add(d, "dropout", restored.dropout(), configured.dropout());
        add(d, "negative slope", restored.negativeSlope(), configured.negativeSlope());
        add(d, "init", restored.effectiveInit(), configured.effectiveInit());
        add(d, "seed", restored.seed(), configured.seed());
        return d;
    }

    private static void add(List<String> d, String name, Object restored, Object configured) {
        if (!restored.equals(configured)) d.add(name + " " + restored + " (configured " + configured + ")");
    }
}
