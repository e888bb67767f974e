package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.DriftWatch;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A model restored from its snapshot, by the trainer after a restart or by a predictor replica that follows it. */
class RunningModelTest {
    private static final ModelConfig SMALL = ModelConfig.DEFAULT.withHidden(List.of(16));

    private static ModelSpec spec(ModelConfig model, OptimizerConfig optimizer) {
        return new ModelSpec("m", model, optimizer, TrainerConfig.DEFAULT, Map.of());
    }

    private static CheckpointSchedule schedule() {
        return new CheckpointSchedule(500, Duration.ofSeconds(30));
    }

    private static RunningModel restored(ModelSpec configured, byte[] snapshot) {
        return RunningModel.of(configured, CheckpointCodec.decode(snapshot, Kernels.best()), schedule(), DriftWatch.none());
    }

    /** Review finding 8: dropout and batchSize changed at run time (PATCH) are the model's own, like its lr. */
    @Test
    void aPatchedDropoutAndBatchSizeSurviveARestart() {
        ModelSpec configured = spec(SMALL, OptimizerConfig.DEFAULT);
        RunningModel m = RunningModel.of(configured, null, schedule(), DriftWatch.none());
        m.trainer().reconfigure(TrainerConfig.DEFAULT.withBatchSize(64), OptimizerConfig.DEFAULT.withLr(0.01f), 0.5f);

        RunningModel again = restored(configured, CheckpointCodec.encode(m.trainer().checkpoint()));
        assertEquals(0.5f, again.trainer().learner().dropout(), "dropout");
        assertEquals(64, again.trainer().config().batchSize(), "batch size");
        assertEquals(0.01f, again.trainer().learner().rule().config().lr(), "lr");
    }

    /**
     * Review finding 3: a replica configured with another optimizer (or leaky slope) than the trainer's snapshot takes
     * the published model whole, and predicts exactly as the trainer does.
     */
    @Test
    void aReplicaTakesThePublishedModelWholeWhateverItsOwnConfiguration() {
        ModelConfig trainerModel = SMALL.withActivation(Activation.LEAKY_RELU).withNegativeSlope(0.2f);
        RunningModel trainer = RunningModel.of(spec(trainerModel, OptimizerConfig.DEFAULT), null, schedule(), DriftWatch.none());
        byte[] published = CheckpointCodec.encode(trainer.trainer().checkpoint());

        ModelSpec replicaConfig = spec(SMALL.withActivation(Activation.LEAKY_RELU).withNegativeSlope(0.01f),
                OptimizerConfig.momentum(0.01f, 0.9f));
        RunningModel replica = RunningModel.of(replicaConfig, null, schedule(), DriftWatch.none());
        replica.follow(CheckpointCodec.decode(published, Kernels.best()).checkpoint());

        Tensor x = new Tensor(4, 784);
        Random r = new Random(1);
        for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextFloat();
        assertArrayEquals(trainer.trainer().predict(x).logProbs().data(), replica.trainer().predict(x).logProbs().data(), 1e-6f);
        assertEquals("adam", replica.info().hyperparameters().optimizer(), "the replica shows the trainer's settings");
    }

    /** Review finding 16: before its first model record a replica is as stale as it is old, not 1.7e9 s (since 1970). */
    @Test
    void aReplicaWithoutAModelYetIsAsStaleAsItIsOld() {
        RunningModel replica = RunningModel.of(spec(SMALL, OptimizerConfig.DEFAULT), null, schedule(), DriftWatch.none());
        replica.followed(0); // following, no record read yet
        assertTrue(replica.stalenessSeconds() < 60, "staleness " + replica.stalenessSeconds());
        assertFalse(replica.holdsModel());
    }
}
