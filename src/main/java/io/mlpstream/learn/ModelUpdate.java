package io.mlpstream.learn;

import java.util.List;

/**
 * What one shard learned since its last update: its weights minus the weights it had already accounted for (one array
 * per parameter, in the network's order), the newest version it had rebased onto, and how many examples it learned in
 * that time. The averager folds it into the next version, weighted by {@code examples}.
 */
public record ModelUpdate(String shard, long base, List<float[]> delta, long examples) {
}
