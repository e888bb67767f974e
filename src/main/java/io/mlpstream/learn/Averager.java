package io.mlpstream.learn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the shards' updates into numbered versions of one model: asynchronous federated averaging (FedAvg, McMahan
 * 2017, applied one update at a time as each arrives, as in local SGD, Stich 2018).
 *
 * <p>Synchronous FedAvg moves the model by the shards' deltas weighted by their examples, {@code sum_i n_i/N * delta_i}.
 * Here each update is added as it comes with its share of that sum, {@code n_i / (n_i + sum of the other shards'
 * latest n)}: when every shard has sent one update, the model has moved exactly as one synchronous round would. A
 * shard not heard from yet counts as many examples as this one, so that the first update does not take the model
 * over alone. Each update is folded once: its examples join the version's count. {@code shards} is how many are
 * expected (in memory, known; through Kafka, 1: the shards heard from recently count).
 */
public final class Averager {
    private static final int SILENT_ROUNDS = 8;
    private final int shards;
    private final float[][] weights;
    /** Per shard heard from: its latest update's examples, and the version that update made. */
    private final Map<String, long[]> latest = new HashMap<>();
    private long number;
    private long examples;

    /** @param shards how many shards learn this model (those not heard from yet count as the one heard) */
    public Averager(ModelVersion start, int shards) {
        if (shards < 1) throw new IllegalArgumentException("at least one shard, not " + shards);
        this.shards = shards;
        this.weights = start.weights().stream().map(float[]::clone).toArray(float[][]::new);
        this.number = start.number();
        this.examples = start.examples();
    }

    /** Folds one shard's update into the next version, and returns it. */
    public synchronized ModelVersion fold(ModelUpdate update) {
        add(update);
        return version();
    }

    /**
     * In memory, one call per sync: the shard's update folded in, then the shard rebased onto the version it made,
     * read in place under the lock (no copy of the version: a third fewer passes over the weights than fold and
     * rebase apart).
     */
    public void sync(Shard shard) {
        ModelUpdate update = shard.update(); // the shard's own arrays: outside the lock
        synchronized (this) {
            add(update);
            shard.rebase(new ModelVersion(number, Arrays.asList(weights), examples));
        }
    }

    /** Folds one shard's update into the next version; read it with {@link #version}. */
    public synchronized void add(ModelUpdate update) {
        if (update.examples() <= 0) return; // a shard with nothing new moves nothing
        if (update.delta().size() != weights.length) {
            throw new IllegalArgumentException("an update of " + update.delta().size() + " parameters for a model of " + weights.length);
        }
        for (int p = 0; p < weights.length; p++) { // checked whole before anything changes
            if (update.delta().get(p).length != weights[p].length) {
                throw new IllegalArgumentException("parameter " + p + " of the update has " + update.delta().get(p).length
                        + " values, the model's " + weights[p].length);
            }
        }
        forgetSilentShards();
        latest.put(update.shard(), new long[] {update.examples(), number + 1});
        float share = (float) share(update);
        for (int p = 0; p < weights.length; p++) {
            float[] w = weights[p];
            float[] d = update.delta().get(p);
            for (int i = 0; i < w.length; i++) w[i] += share * d[i];
        }
        number++;
        examples += update.examples();
    }

    private double share(ModelUpdate update) {
        long n = update.examples();
        long others = 0;
        int heard = 0;
        for (Map.Entry<String, long[]> e : latest.entrySet()) {
            if (e.getKey().equals(update.shard())) continue;
            others += e.getValue()[0];
            heard++;
        }
        others += (long) Math.max(0, shards - 1 - heard) * n;
        return (double) n / (n + others);
    }

    /**
     * A shard not heard from within the last {@value #SILENT_ROUNDS} rounds (a round: one update per shard heard) has
     * stopped or lost its partitions: its last count no longer takes a share from the others.
     */
    private void forgetSilentShards() {
        long window = (long) SILENT_ROUNDS * Math.max(shards, latest.size());
        latest.values().removeIf(l -> number - l[1] >= window);
    }

    /** The newest version (a copy: shards read it while the next update is folded in). */
    public synchronized ModelVersion version() {
        List<float[]> copy = Arrays.stream(weights).map(float[]::clone).toList();
        return new ModelVersion(number, copy, examples);
    }
}
