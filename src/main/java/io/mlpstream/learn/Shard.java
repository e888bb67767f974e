package io.mlpstream.learn;

import io.mlpstream.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * One of several trainers of one model (data-parallel): it learns its own examples with local SGD, hands what it
 * learned to the averager as an {@link ModelUpdate}, and rebases onto each newer {@link ModelVersion}, keeping what it
 * learned since its last update.
 *
 * <p>{@code accounted} is the part of the local weights the group already has: the version rebased onto plus what was
 * sent since. An update is {@code W - accounted} (then accounted = W); a rebase onto V is
 * {@code W = V + (W - accounted)} (then accounted = V). So every step a shard takes is in exactly one update.
 */
public final class Shard {
    private final String name;
    private final OnlineTrainer trainer;
    /** Per parameter: the weights the group already has (the version rebased onto, plus what was sent since). */
    private final float[][] accounted;
    private long base;
    private long examplesSent;

    /** A shard that starts from {@code start}: the trainer's weights are set to it. */
    public Shard(String name, OnlineTrainer trainer, ModelVersion start) {
        this.name = name;
        this.trainer = trainer;
        this.examplesSent = trainer.examplesTrained();
        this.accounted = start.weights().stream().map(float[]::clone).toArray(float[][]::new);
        this.base = start.number();
        trainer.changeWeights(parameters -> {
            for (int p = 0; p < parameters.size(); p++) parameters.get(p).value.load(start.weights().get(p));
        });
    }

    /** What this shard learned since its last update; from now on that is the group's. */
    public ModelUpdate update() {
        List<Parameter> parameters = trainer.learner().network().parameters();
        List<float[]> delta = new ArrayList<>(parameters.size());
        for (int p = 0; p < parameters.size(); p++) {
            float[] w = parameters.get(p).value.data();
            float[] a = accounted[p];
            float[] d = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = w[i] - a[i];
                a[i] = w[i];
            }
            delta.add(d);
        }
        long examples = trainer.examplesTrained() - examplesSent;
        examplesSent = trainer.examplesTrained();
        return new ModelUpdate(name, base, delta, examples);
    }

    /** Moves onto a newer version, keeping what was learned since the last update; an older one changes nothing. */
    public void rebase(ModelVersion version) {
        if (version.number() <= base) return;
        trainer.changeWeights(parameters -> {
            for (int p = 0; p < parameters.size(); p++) {
                float[] w = parameters.get(p).value.data();
                float[] v = version.weights().get(p);
                float[] a = accounted[p];
                for (int i = 0; i < a.length; i++) {
                    w[i] = v[i] + (w[i] - a[i]);
                    a[i] = v[i];
                }
            }
        });
        base = version.number();
    }

    public String name() {
        return name;
    }

    /** The newest version this shard has rebased onto. */
    public long base() {
        return base;
    }

    public OnlineTrainer trainer() {
        return trainer;
    }
}
