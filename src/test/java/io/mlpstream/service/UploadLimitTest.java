package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.Learner;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up check of the HTTP body limit bounds the real snapshot, of a trained Adam model. */
class UploadLimitTest {

    @Test
    void theBoundHoldsTheEncodedSnapshotAndALargerModelNeedsMoreThanTheDefaultLimit() {
        Learner small = Learner.create(ModelConfig.DEFAULT, OptimizerConfig.DEFAULT, Kernels.best());
        long encoded = CheckpointCodec.encode(Checkpoint.of(small, 1)).length;
        long bound = CheckpointCodec.maxBytes(small.config());
        assertTrue(bound >= encoded && bound < encoded * 1.1, bound + " bounds " + encoded + " closely");

        Learner large = Learner.create(ModelConfig.DEFAULT.withHidden(List.of(1024, 1024)), OptimizerConfig.DEFAULT, Kernels.best());
        assertTrue(CheckpointCodec.maxBytes(large.config()) > 10 << 20, "above Quarkus' default body limit, 10 MiB: the check is needed");
    }
}
