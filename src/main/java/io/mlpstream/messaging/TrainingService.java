package io.mlpstream.messaging;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.TrainerThread;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.Models;
import io.mlpstream.nn.Snapshot;
import io.mlpstream.nn.OptimizerConfig;
import io.mlpstream.nn.StepStats;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Owns the model and the one thread that trains it. Polled batches of image records come in; each
 * record is decoded (or dead-lettered), predicted, published, and buffered for training by the
 * {@link OnlineTrainer}. Nothing here knows how a network learns.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    @Inject
    MlpConfig config;

    @Inject
    Outputs outputs;

    @Inject
    LearningMetrics metrics;

    @Inject
    Checkpoints checkpoints;

    private OnlineTrainer trainer;
    private ImageDecoder decoder;
    private ScheduledExecutorService worker;
    private Examples chunk;
    private final List<Source> sources = new ArrayList<>();
    /** One entry per labeled example waiting in the trainer's buffer, oldest first. */
    private final ArrayDeque<BatchAck> awaitingTraining = new ArrayDeque<>();
    private final Listener listener = new Listener();
    private volatile boolean ready;
    private volatile float lastLoss = Float.NaN;
    /** Next offset after the last predicted record, per "topic-partition": where a snapshot resumes. */
    private final Map<String, Long> predictedUpTo = new ConcurrentHashMap<>();
    private OptimizerConfig optimizer;
    /** Next offset to process, per "topic-partition", for the lag metric. */
    private final Map<String, Long> nextOffsets = new ConcurrentHashMap<>();

    /** Where a row of the current chunk came from. */
    private record Source(String id, Integer label, long timestamp, String partition, long offset, BatchAck ack) {
    }

    void start(@Observes @Priority(10) StartupEvent event) {
        var modelConfig = ModelFactory.model(config.model());
        OptimizerConfig opt = ModelFactory.optimizer(config.optimizer());
        Optional<Snapshot> snapshot = checkpoints.restore(modelConfig, Kernels.best());
        Model model = snapshot.map(Snapshot::model).orElseGet(() -> Models.create(modelConfig, opt, Kernels.best()));
        optimizer = snapshot.map(Snapshot::optimizer).orElse(opt);
        trainer = new OnlineTrainer(model, ModelFactory.trainer(config.training()));
        snapshot.ifPresent(s -> {
            trainer.restoreCounts(s.examplesTrained(), s.examplesPredicted());
            trainer.accuracy().restore(s.prequentialSeen(), s.prequentialCorrect());
            predictedUpTo.putAll(s.offsets());
        });
        decoder = new ImageDecoder(modelConfig.inputSize(), modelConfig.classes(),
                config.limits().maxRecordBytes(), config.limits().maxImageSide());
        chunk = new Examples(512, modelConfig.inputSize());
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlp-trainer");
            t.setDaemon(true);
            return t;
        });
        long idleCheck = Math.max(10, Math.min(200, config.training().idleFlush().toMillis() / 5));
        worker.scheduleWithFixedDelay(this::flushIfIdle, idleCheck, idleCheck, TimeUnit.MILLISECONDS);
        List<String> layers = new ArrayList<>();
        int dense = modelConfig.type().equals("perceptron") ? 1 : modelConfig.hidden().size() + 1;
        for (int i = 1; i <= dense; i++) layers.add("dense" + i);
        metrics.bind(config.modelName(), trainer, layers, InvalidEvent.REASONS);
        metrics.checkpointAge(config.modelName(), checkpoints::ageSeconds);
        ready = true;
        LOG.infof("Model %s: %s, %s, batch size %d", config.modelName(), modelConfig.architecture(), opt,
                config.training().batchSize());
    }

    /** Before the Kafka clients close: learn what is buffered, and write a last snapshot. */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        ready = false;
        if (worker != null) {
            try {
                worker.submit(() -> {
                    trainer.flush(listener);
                    checkpoint();
                    checkpoints.flush();
                }).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.error("Final checkpoint failed", e);
            }
            worker.shutdown();
            try {
                worker.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Called by the Kafka adapter; completes once the batch is predicted and buffered (not yet trained). */
    public CompletionStage<Void> submit(KafkaRecordBatch<String, byte[]> batch) {
        return CompletableFuture.runAsync(() -> process(batch), worker);
    }

    private void process(KafkaRecordBatch<String, byte[]> batch) {
        BatchAck ack = new BatchAck(batch);
        chunk.clear();
        sources.clear();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getOffset()).orElse(-1L);
            String partition = record.getTopic() + "-" + record.getPartition();
            if (offset >= 0 && offset < predictedUpTo.getOrDefault(partition, 0L)) {
                // redelivered (the consumer rewound to its last commit after a rebalance or a broker
                // outage), but this model has already predicted it and learned it or buffered it
                continue;
            }
            try {
                ImageEvent event = decoder.decode(record.getPayload());
                chunk.add(event.pixels(), 0, event.label() == null ? Examples.UNLABELED : event.label());
                sources.add(new Source(event.id() != null ? event.id() : partition + "-" + offset, event.label(),
                        record.getTimestamp() == null ? 0 : record.getTimestamp().toEpochMilli(),
                        partition, offset, ack));
                metrics.example(event.label() != null);
                noteOffset(partition, offset);
                ack.expect(event.label() == null ? 1 : 2); // its prediction, and its training step
            } catch (InvalidEvent e) {
                metrics.deadLetter(e.reason());
                noteOffset(partition, offset);
                ack.expect(1);
                outputs.deadLetter(record.getKey(), record.getPayload(), e, partition + "-" + offset, ack::done, ack::fail);
            }
        }
        trainer.process(chunk, listener);
        ack.done();
    }

    private void checkpoint() {
        if (trainer.buffered() == 0 && trainer.model().step() > 0) {
            checkpoints.write(new Snapshot(trainer.model(), currentOptimizer(), trainer.examplesTrained(),
                    trainer.examplesPredicted(), trainer.accuracy().seen(), trainer.accuracy().correct(),
                    Map.copyOf(predictedUpTo)));
        }
    }

    private OptimizerConfig currentOptimizer() {
        return trainer.model().optimizer() != null ? trainer.model().optimizer().config() : optimizer;
    }

    private void noteOffset(String partition, long offset) {
        nextOffsets.merge(partition, offset + 1, Math::max);
    }

    public Map<String, Long> nextOffsets() {
        return nextOffsets;
    }

    private void flushIfIdle() {
        try {
            trainer.flushIfIdle(listener);
        } catch (RuntimeException e) {
            LOG.error("idle flush failed", e);
        }
    }

    private final class Listener implements TrainingListener {
        @Override
        public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            Source s = sources.get(index);
            predictedUpTo.merge(s.partition(), s.offset() + 1, Math::max);
            float[] probabilities = new float[logProbs.length];
            for (int c = 0; c < logProbs.length; c++) probabilities[c] = (float) Math.exp(logProbs[c]);
            Prediction p = new Prediction(s.id(), predicted, probabilities[predicted], probabilities, s.label(),
                    s.label() == null ? null : s.label() == predicted, s.label() == null ? null : loss,
                    config.modelName(), modelStep, System.currentTimeMillis());
            Boolean correct = p.correct();
            outputs.prediction(p, () -> {
                metrics.prediction(correct, s.timestamp());
                s.ack().done();
            }, s.ack()::fail);
            if (s.label() != null) awaitingTraining.add(s.ack());
        }

        @Override
        public void onStep(StepStats stats, OnlineTrainer t) {
            lastLoss = stats.loss;
            metrics.step(stats, stats.seconds);
            long step = t.model().step();
            if (step % config.training().metricsEvery() == 0) {
                List<TrainingMetrics.Layer> layers = new ArrayList<>();
                for (StepStats.LayerStats l : stats.layers) {
                    layers.add(new TrainingMetrics.Layer(l.name, l.weightGradNorm, l.biasGradNorm, l.weightNorm, l.deadFraction));
                }
                float lr = t.model().optimizer() == null ? 0f : t.model().optimizer().config().lr();
                outputs.metrics(config.modelName(), new TrainingMetrics(config.modelName(), step, t.examplesTrained(),
                        stats.batchSize, stats.loss, stats.batchAccuracy, t.accuracy().cumulative(), lr,
                        stats.gradientNorm, layers, stats.seconds, System.currentTimeMillis()));
            }
            for (int i = 0; i < stats.batchSize; i++) {
                awaitingTraining.poll().done();
            }
            // the buffer is empty now: everything predicted so far is learned, so the offsets are exact
            if (!stats.skipped && checkpoints.due(step)) {
                checkpoint();
            }
        }
    }

    public OnlineTrainer trainer() {
        return trainer;
    }

    /** Admin work (a new snapshot, new hyper-parameters) runs on the trainer's thread, between chunks. */
    @jakarta.enterprise.inject.Produces
    @jakarta.inject.Singleton
    TrainerThread trainerThread() {
        return new TrainerThread() {
            @Override
            public <T> T call(java.util.function.Function<OnlineTrainer, T> work) throws Exception {
                return worker.submit(() -> work.apply(trainer)).get(30, TimeUnit.SECONDS);
            }
        };
    }

    /** The trainer, for adapters that must not depend on messaging (the REST API). */
    @jakarta.enterprise.inject.Produces
    @jakarta.enterprise.context.Dependent
    OnlineTrainer currentTrainer() {
        return trainer;
    }

    public float lastLoss() {
        return lastLoss;
    }

    public boolean isReady() {
        return ready;
    }
}
