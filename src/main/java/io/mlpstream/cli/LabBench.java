package io.mlpstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.TrainerConfig;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.service.LabPreset;
import io.mlpstream.service.ModelSpec;
import io.mlpstream.service.TrainerThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `./mlp-stream bench --lab`: the lab preset in memory, as the service trains it (test-then-train over chunks
 * of polled records), each model alone, then all five at once on the service's model workers. Prints each
 * model's examples/s, the serial figure 1 / sum(1 / alone) (what one thread training them in turn would do),
 * and the parallel figure; the two sides alternate, round after round, so that both see the same machine.
 */
final class LabBench {
    private LabBench() {
    }

    static int run(Options o) throws Exception {
        IdxReader.Images images = IdxReader.readImages(o.value("images", IdxReader.SAMPLE_IMAGES));
        byte[] labels = IdxReader.readLabels(o.value("labels", IdxReader.SAMPLE_LABELS), images);
        int n = Math.min(images.count(), o.intValue("limit", Integer.MAX_VALUE));
        int chunkSize = o.intValue("chunk", 500);
        int rounds = o.intValue("rounds", 3);
        ModelSpec base = new ModelSpec("base", ModelConfig.DEFAULT, OptimizerConfig.DEFAULT,
                TrainerConfig.DEFAULT, Map.of());
        List<ModelSpec> specs = new ArrayList<>();
        LabPreset.KEYS.forEach((name, keys) -> specs.add(ModelSpec.parse(name, keys, base)));
        List<Examples> chunks = new ArrayList<>();
        for (int first = 0; first < n; first += chunkSize) {
            Examples c = new Examples(chunkSize, images.size());
            for (int i = first; i < Math.min(n, first + chunkSize); i++) c.add(images.pixels(), i * images.size(), labels[i] & 0xFF);
            chunks.add(c);
        }
        TrainerThreads threads = TrainerThreads.create(null);
        System.err.printf("bench --lab: %d examples in chunks of %d, %d models, %d cores, %d rounds%n", n, chunkSize, specs.size(),
                Runtime.getRuntime().availableProcessors(), rounds);
        trainAll(specs, chunks, threads, true); // warm-up: the JIT compiles both paths first
        for (int round = 1; round <= rounds; round++) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("round", round);
            double inverseSum = 0;
            for (ModelSpec spec : specs) {
                double speed = n / trainAll(List.of(spec), chunks, threads, false);
                line.put(spec.name(), Math.round(speed));
                inverseSum += 1 / speed;
            }
            double serial = 1 / inverseSum, parallel = n / trainAll(specs, chunks, threads, true);
            line.put("serial", Math.round(serial));
            line.put("parallel", Math.round(parallel));
            line.put("speedup", Math.round(parallel / serial * 100) / 100.0);
            System.out.println(new ObjectMapper().writeValueAsString(line));
        }
        return 0;
    }

    /**
     * The environment that makes a service train one model of the preset alone, under its name (the form
     * MLP_MODELS__SIGMOID_DEEP__HIDDEN); empty for null (the default model); null for an unknown name.
     */
    static Map<String, String> environment(String model) {
        if (model == null) return Map.of();
        Map<String, String> keys = LabPreset.KEYS.get(model);
        if (keys == null) return null;
        String prefix = "MLP_MODELS__" + model.toUpperCase().replace('-', '_') + "__";
        Map<String, String> env = new LinkedHashMap<>();
        env.put(prefix + "TYPE", keys.getOrDefault("type", "mlp")); // relu's keys are empty: one names it
        keys.forEach((k, v) -> env.put(prefix + k.toUpperCase().replace('-', '_'), v));
        return env;
    }

    /** Seconds to train fresh models on every chunk, in turn on this thread, or each on a worker. */
    private static double trainAll(List<ModelSpec> specs, List<Examples> chunks, TrainerThreads threads, boolean parallel) {
        List<OnlineTrainer> trainers = specs.stream()
                .map(s -> new OnlineTrainer(Learner.create(s.model(), s.optimizer(), Kernels.best()), s.trainer())).toList();
        long start = System.nanoTime();
        for (Examples chunk : chunks) {
            if (parallel) threads.eachInParallel(trainers, t -> t.process(chunk, TrainingListener.NONE));
            else trainers.forEach(t -> t.process(chunk, TrainingListener.NONE));
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
