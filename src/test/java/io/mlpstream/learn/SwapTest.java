package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlpstream.data.IdxReader;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A predictor replica swaps models in while it answers (ModelFollower: decode first, then restore under the write
 * lock). 100 snapshots of a model at 100 steps are swapped into a replica while four threads predict the same digit
 * as /api/predict does: no call fails, and every answer's probabilities are exactly those of the snapshot of the step
 * it reports, never a mix of two, never an empty model.
 */
class SwapTest {
    @Test
    void everyAnswerDuringAHundredSwapsIsExactlyTheModelOfItsStep() throws Exception {
        ModelConfig config = ModelConfig.DEFAULT;
        OnlineTrainer trainer = new OnlineTrainer(Learner.create(config, OptimizerConfig.adam(1e-3f), Kernels.best()),
                new TrainerConfig(16, Duration.ofSeconds(1), 1000));
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Examples digit = new Examples(1, 784);
        digit.add(images.pixels(), 0, Examples.UNLABELED);
        Tensor x = new Tensor(1, 784);
        digit.copyRows(0, 1, x);

        List<byte[]> snapshots = new ArrayList<>();
        Map<Long, float[]> expected = new HashMap<>();
        TrainingListener quiet = new TrainingListener() {
            public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            }

            public void onStep(StepStats stats, OnlineTrainer t) {
            }
        };
        for (int s = 0; s < 100; s++) {
            Examples batch = new Examples(16, 784);
            for (int i = 0; i < 16; i++) batch.add(images.pixels(), (s * 16 + i) * 784, labels[s * 16 + i] & 0xFF);
            trainer.process(batch, quiet);
            snapshots.add(CheckpointCodec.encode(trainer.checkpoint()));
            expected.put(trainer.step(), trainer.predict(x).logProbs().toArray());
        }

        OnlineTrainer replica = new OnlineTrainer(Learner.create(config, OptimizerConfig.adam(1e-3f), Kernels.best()),
                new TrainerConfig(16, Duration.ofSeconds(1), 1000));
        replica.restore(CheckpointCodec.decode(snapshots.get(0), Kernels.best()).checkpoint());
        AtomicBoolean swapping = new AtomicBoolean(true);
        AtomicInteger answers = new AtomicInteger();
        Map<String, String> wrong = new ConcurrentHashMap<>();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread reader = new Thread(() -> {
                Tensor mine = x.copy();
                while (swapping.get()) {
                    try {
                        Inference answer = replica.predict(mine);
                        float[] want = expected.get(answer.modelStep());
                        if (want == null || !java.util.Arrays.equals(want, answer.logProbs().toArray())) {
                            wrong.put("step " + answer.modelStep(), "probabilities of no snapshot of that step");
                        }
                        answers.incrementAndGet();
                    } catch (RuntimeException e) {
                        wrong.put("call", e.toString());
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        // review section B (#16): an export during the swaps is exactly the snapshot of its step, as GET /api/model/export
        Map<Long, byte[]> exports = new HashMap<>();
        for (byte[] s : snapshots) {
            Checkpoint c = CheckpointCodec.decode(s, Kernels.best()).checkpoint();
            exports.put(c.step(), ModelExport.export(ModelExport.SAFETENSORS, "swapped", c));
        }
        AtomicInteger exported = new AtomicInteger();
        Thread exporter = new Thread(() -> {
            while (swapping.get()) {
                Map.Entry<Long, byte[]> e = replica.whole(c -> Map.entry(c.step(), ModelExport.export(ModelExport.SAFETENSORS, "swapped", c)));
                if (!java.util.Arrays.equals(exports.get(e.getKey()), e.getValue())) wrong.put("export at step " + e.getKey(), "a mix");
                exported.incrementAndGet();
            }
        });
        exporter.start();
        readers.add(exporter);
        for (byte[] s : snapshots) {
            replica.restore(CheckpointCodec.decode(s, Kernels.best()).checkpoint()); // as ModelFollower.swapIn
            Thread.sleep(2);
        }
        swapping.set(false);
        for (Thread r : readers) r.join();
        System.out.printf("%d answers and %d exports during 100 swaps, %d wrong%n", answers.get(), exported.get(), wrong.size());
        assertTrue(answers.get() > 100, "the readers ran during the swaps");
        assertTrue(exported.get() > 5, exported.get() + " exports during the swaps");
        assertEquals(Map.of(), wrong);
        assertEquals(trainer.step(), replica.step());
    }
}
