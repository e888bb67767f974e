package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Data-parallel averaging: weighted by examples, each update folded once, a rebased shard keeps its own progress. */
class AveragerTest {
    private final ModelConfig config = new ModelConfig(ModelType.MLP, 784, List.of(16), 10, Activation.RELU, 0.05f, 0f, null, 1);
    private final Random random = new Random(5);

    private static ModelVersion version(float... w) {
        return new ModelVersion(0, List.of(w), 0);
    }

    @Test
    void updatesAreWeightedByTheirExamplesAsOneSynchronousRoundWould() {
        Averager averager = new Averager(version(0f, 0f), 2);
        // shard a learned 30 examples, shard b 10: FedAvg moves the model by 30/40 of a's delta plus 10/40 of b's
        averager.fold(new ModelUpdate("a", 0, List.of(new float[] {4f, 0f}), 30));
        ModelVersion v = averager.fold(new ModelUpdate("b", 0, List.of(new float[] {0f, 8f}), 10));
        // a's came first, with b unheard (counted as 30 too): share 1/2; then b's with a's 30 known: share 10/40
        assertEquals(2f, v.weights().get(0)[0], 1e-6);
        assertEquals(2f, v.weights().get(0)[1], 1e-6);
        assertEquals(2, v.number());
        assertEquals(40, v.examples(), "every update's examples are in the version, once");
    }

    /** A shard killed, or whose partitions moved, stops sending: after eight rounds its last count takes no share. */
    @Test
    void aShardSilentForEightRoundsNoLongerTakesAShare() {
        Averager averager = new Averager(version(0f), 1); // through Kafka: the shards heard from recently count
        averager.fold(new ModelUpdate("gone", 0, List.of(new float[] {0f}), 100));
        float before = 0;
        float[] moves = new float[20];
        for (int i = 0; i < 20; i++) {
            float w = averager.fold(new ModelUpdate("live", 0, List.of(new float[] {1f}), 100)).weights().get(0)[0];
            moves[i] = w - before;
            before = w;
        }
        assertEquals(0.5f, moves[0], 1e-6, "while the other shard counts, half of the delta");
        assertEquals(1f, moves[19], 1e-6, "once it is forgotten, all of it");
    }

    @Test
    void anUpdateOfAnotherShapeIsRefusedWholeAndChangesNothing() {
        Averager averager = new Averager(new ModelVersion(0, List.of(new float[] {1f, 1f}, new float[] {1f}), 0), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> averager.fold(
                new ModelUpdate("a", 0, List.of(new float[] {5f, 5f}, new float[] {5f, 5f}), 10)));
        assertTrue(e.getMessage().contains("parameter 1"), e.getMessage());
        ModelVersion v = averager.version();
        assertEquals(0, v.number());
        assertEquals(1f, v.weights().get(0)[0], "the first parameter was not changed either");
    }

    @Test
    void aShardWithNothingNewMovesNothing() {
        Averager averager = new Averager(version(1f), 2);
        ModelVersion v = averager.fold(new ModelUpdate("a", 0, List.of(new float[] {5f}), 0));
        assertEquals(0, v.number());
        assertEquals(1f, v.weights().get(0)[0]);
    }

    @Test
    void everyStepIsInExactlyOneUpdate() {
        OnlineTrainer trainer = trainer();
        ModelVersion start = ModelVersion.first(trainer.learner().network().parameters());
        float[] initial = start.weights().get(0).clone();
        Shard shard = new Shard("0", trainer, start);
        trainer.process(examples(64), TrainingListener.NONE);
        ModelUpdate first = shard.update();
        assertEquals(64, first.examples());
        ModelUpdate again = shard.update();
        assertEquals(0, again.examples(), "an update is not sent twice");
        assertEquals(0.0, norm(again.delta().get(0)), 0.0);
        trainer.process(examples(32), TrainingListener.NONE);
        ModelUpdate second = shard.update();
        // what the two updates carry adds up to everything the shard learned, no more
        float[] now = trainer.learner().network().parameters().get(0).value.toArray();
        for (int i = 0; i < now.length; i++) {
            assertEquals(now[i] - initial[i], first.delta().get(0)[i] + second.delta().get(0)[i], 1e-5);
        }
        assertEquals(32, second.examples());
    }

    /** A sync in one call (bench --shards) does what fold then rebase do: the shard on the version its update made. */
    @Test
    void aSyncInOneCallIsAFoldThenARebase() {
        OnlineTrainer a = trainer(), b = trainer();
        ModelVersion start = ModelVersion.first(a.learner().network().parameters());
        Averager together = new Averager(start, 2), apart = new Averager(start, 2);
        Shard inOneCall = new Shard("0", a, start), inTwo = new Shard("0", b, start);
        Examples same = examples(64);
        a.process(same, TrainingListener.NONE);
        b.process(same, TrainingListener.NONE);
        together.sync(inOneCall);
        ModelVersion made = apart.fold(inTwo.update());
        inTwo.rebase(made);
        assertEquals(made.number(), inOneCall.base());
        assertEquals(made.examples(), together.version().examples(), "its examples counted once");
        assertArrayEquals(made.weights().get(0), a.learner().network().parameters().get(0).value.toArray(), 1e-6f);
        assertArrayEquals(b.learner().network().parameters().get(0).value.toArray(),
                a.learner().network().parameters().get(0).value.toArray(), 1e-6f);
        a.process(examples(32), TrainingListener.NONE);
        assertEquals(32, inOneCall.update().examples(), "then it goes on learning, as the other");
    }

    @Test
    void aRebasedShardKeepsWhatItLearnedSinceItsLastUpdate() {
        OnlineTrainer trainer = trainer();
        ModelVersion start = ModelVersion.first(trainer.learner().network().parameters());
        Averager averager = new Averager(start, 2);
        Shard shard = new Shard("0", trainer, start);
        trainer.process(examples(64), TrainingListener.NONE);
        ModelVersion afterOwn = averager.fold(shard.update());
        List<float[]> otherDelta = new ArrayList<>();
        for (float[] w : afterOwn.weights()) otherDelta.add(new float[w.length]);
        Arrays.fill(otherDelta.get(0), 0.01f); // the other shard moved the first layer
        ModelVersion newest = averager.fold(new ModelUpdate("1", 0, otherDelta, 64));
        // the shard learns more before it sees the newest version
        float[] beforeMore = trainer.learner().network().parameters().get(0).value.toArray();
        trainer.process(examples(32), TrainingListener.NONE);
        float[] afterMore = trainer.learner().network().parameters().get(0).value.toArray();
        shard.rebase(newest);
        float[] rebased = trainer.learner().network().parameters().get(0).value.toArray();
        for (int i = 0; i < rebased.length; i += 97) {
            assertEquals(newest.weights().get(0)[i] + (afterMore[i] - beforeMore[i]), rebased[i], 1e-5,
                    "the newest version plus the steps taken since the last update");
        }
        assertEquals(newest.number(), shard.base());
        shard.rebase(afterOwn); // an older version changes nothing
        assertEquals(rebased[0], trainer.learner().network().parameters().get(0).value.get(0));
        ModelUpdate next = shard.update();
        assertEquals(32, next.examples());
        assertNotEquals(0.0, norm(next.delta().get(0)), "the kept progress goes to the group in the next update");
        for (int i = 0; i < rebased.length; i += 97) {
            assertEquals(afterMore[i] - beforeMore[i], next.delta().get(0)[i], 1e-5, "and only that progress");
        }
    }

    private OnlineTrainer trainer() {
        return new OnlineTrainer(Learner.create(config, OptimizerConfig.DEFAULT.withLr(0.05f), Kernels.best()),
                TrainerConfig.DEFAULT.withBatchSize(32).withIdleFlush(Duration.ZERO));
    }

    private Examples examples(int n) {
        Examples e = new Examples(n, 784);
        byte[] pixels = new byte[784];
        for (int i = 0; i < n; i++) {
            random.nextBytes(pixels);
            e.add(pixels, 0, random.nextInt(10));
        }
        return e;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
