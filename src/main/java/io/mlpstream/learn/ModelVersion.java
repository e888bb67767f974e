package io.mlpstream.learn;

import io.mlpstream.nn.Parameter;
import java.util.List;

/**
 * A numbered version of the model that several shards learn together: the averager's weights after it folded some
 * updates in (one array per parameter, in the network's order), and how many examples all versions so far hold.
 */
public record ModelVersion(long number, List<float[]> weights, long examples) {

    /** Version 0: the weights every shard starts from. */
    public static ModelVersion first(List<Parameter> parameters) {
        return new ModelVersion(0, parameters.stream().map(p -> p.value.toArray()).toList(), 0);
    }
}
