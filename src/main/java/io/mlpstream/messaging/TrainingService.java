package io.mlpstream.messaging;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Prediction;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.StepStats;
import io.mlpstream.learn.TrainingListener;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainingReport;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Kafka side of training: polled batches of image records come in; each record is decoded (or
 * dead-lettered), predicted and published, and buffered for training by the {@link OnlineTrainer},
 * on the model's own thread. It keeps the books that delivery needs: which offsets were predicted,
 * which acks wait for a training step. Nothing here knows how a network learns.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    @Inject
    MlpConfig config;

    @Inject
    RunningModel model;

    @Inject
    Outputs outputs;

    @Inject
    LearningMetrics metrics;

    @ConfigProperty(name = AckBudget.MAX_AGE_KEY)
    Optional<Long> maxAge;

    private ImageDecoder decoder;
    private Examples chunk;
    private final List<Source> sources = new ArrayList<>();
    /** One entry per labeled example waiting in the trainer's buffer, oldest first. */
    private final ArrayDeque<BatchAck> awaitingTraining = new ArrayDeque<>();
    private final Listener listener = new Listener();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;
    /** Next offset after the last predicted record, per "topic-partition": where a checkpoint resumes. */
    private final Map<String, Long> predictedUpTo = new ConcurrentHashMap<>();
    /** Next offset to process, per "topic-partition", for the lag metric. */
    private final Map<String, Long> nextOffsets = new ConcurrentHashMap<>();

    /** Where a row of the current chunk came from. */
    private record Source(String id, Integer label, long timestamp, String partition, long offset, BatchAck ack) {
    }

    void start(@Observes @Priority(11) StartupEvent event) {
        OnlineTrainer trainer = model.trainer();
        AckBudget.check(trainer.config().idleFlush(), maxAge.orElse(60_000L));
        model.resumeOffsets().forEach(predictedUpTo::putIfAbsent); // a partition may have been rewound already
        int inputSize = trainer.learner().config().inputSize();
        decoder = new ImageDecoder(inputSize, trainer.learner().config().classes(),
                config.limits().maxRecordBytes(), config.limits().maxImageSide());
        chunk = new Examples(512, inputSize);
        long idleCheck = Math.max(10, Math.min(200, trainer.config().idleFlush().toMillis() / 5));
        model.every(idleCheck, this::flushIfIdle);
        metrics.bind(model.name(), trainer, trainer.learner().layerNames(), InvalidEvent.REASONS);
        metrics.checkpoints(model.name(), model::checkpointAgeSeconds, model::checkpointFailures);
        ready = true;
        started.countDown();
    }

    /** The partition's records from {@code offset} on are new to the model, whatever the snapshot said. */
    void rewound(String partition, long offset) {
        predictedUpTo.put(partition, offset);
    }

    /** Partitions are assigned once the model is restored, which can be just before start() has run. */
    void awaitStarted() {
        try {
            if (!started.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the training service did not start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Before the Kafka clients close: learn what is buffered, and write a last checkpoint. */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        if (!ready) return; // the model never started: nothing to save
        ready = false;
        try {
            model.call(t -> { // within the call's timeout: an unreachable broker must not hold the shutdown
                t.flush(listener);
                model.checkpoint(Map.copyOf(predictedUpTo));
                model.flushCheckpoints();
                return null;
            });
        } catch (Exception e) {
            LOG.error("Final checkpoint failed", e);
        }
    }

    /** Called by the Kafka adapter; completes once the batch is predicted and buffered (not yet trained). */
    public CompletionStage<Void> submit(KafkaRecordBatch<String, byte[]> batch) {
        return model.submit(() -> process(batch));
    }

    private void process(KafkaRecordBatch<String, byte[]> batch) {
        awaitStarted();
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
        model.trainer().process(chunk, listener);
        ack.done();
    }

    private void noteOffset(String partition, long offset) {
        nextOffsets.merge(partition, offset + 1, Math::max);
    }

    public Map<String, Long> nextOffsets() {
        return nextOffsets;
    }

    private void flushIfIdle() {
        try {
            model.trainer().flushIfIdle(listener);
        } catch (RuntimeException e) {
            LOG.error("idle flush failed", e);
        }
    }

    private final class Listener implements TrainingListener {
        @Override
        public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            Source s = sources.get(index);
            predictedUpTo.merge(s.partition(), s.offset() + 1, Math::max);
            Prediction p = Prediction.of(s.id(), logProbs, s.label(), model.name(), modelStep, System.currentTimeMillis());
            outputs.prediction(p, () -> {
                metrics.prediction(p.correct(), s.timestamp());
                s.ack().done();
            }, s.ack()::fail);
            if (s.label() != null) awaitingTraining.add(s.ack());
        }

        @Override
        public void onStep(StepStats stats, OnlineTrainer t) {
            metrics.step(stats);
            if (t.step() % config.training().metricsEvery() == 0) {
                outputs.metrics(model.name(), TrainingReport.of(model.name(), stats, t), metrics::metricsSendFailed);
            }
            for (int i = 0; i < stats.batchSize; i++) {
                awaitingTraining.poll().done();
            }
            // the buffer is empty now: everything predicted so far is learned, so the offsets are exact
            if (!stats.skipped && model.checkpointDue()) model.checkpoint(Map.copyOf(predictedUpTo));
        }
    }

    /** The model's step, 0 before it is built. */
    public long step() {
        return model.trainer() == null ? 0 : model.trainer().step();
    }

    public boolean isReady() {
        return ready;
    }
}
