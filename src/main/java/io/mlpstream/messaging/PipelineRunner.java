package io.mlpstream.messaging;

import io.mlpstream.events.InvalidEvent;
import io.mlpstream.metrics.LabelMeters;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.pipeline.DecodeStage;
import io.mlpstream.pipeline.Pipeline;
import io.mlpstream.pipeline.Polled;
import io.mlpstream.service.LiveState;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.mlpstream.service.TrainerThreads;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Runs the {@link Pipeline} in the service: builds it at start, hands it each polled batch (decoded on the decode
 * stage, then run on the trainer's thread), drives its punctuation, commits before partitions are revoked, stops the
 * service when another instance fenced it, and says whether it is ready.
 */
@ApplicationScoped
public class PipelineRunner {
    private static final Logger LOG = Logger.getLogger(PipelineRunner.class);
    /** How often the pipeline's time-driven work is looked at: its shortest interval is 5 ms. */
    private static final long PUNCTUATE_MILLIS = 5;

    @Inject MlpConfig config;
    @Inject Models models;
    @Inject TrainerThreads threads;
    @Inject KafkaOutputs outputs;
    @Inject @Identifier("images-rebalance")
    Partitions partitions;
    @Inject LagMonitor lag;
    @Inject LearningMetrics metrics;
    @Inject LabelMeters labelMeters;
    @Inject LiveState live;
    @Inject DataParallel dataParallel;
    @Inject @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private Pipeline pipeline;
    private final DecodeStage decoding = new DecodeStage();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;

    void start(@Observes @Priority(11) StartupEvent event) {
        if (config.role() == Role.PREDICT) return; // a replica never trains, commits or writes
        metrics.bind(InvalidEvent.REASONS, outputs::commitFailures, outputs::droppedOutputs);
        metrics.bindCommits(outputs::commits, outputs::commitNanos);
        var pending = PendingLabelsChangelog.read(KafkaSettings.forClient(kafka, ConsumerConfig.configNames()), config.topics().pendingLabels());
        pipeline = new Pipeline(new Pipeline.Parts(config, models, threads, outputs, partitions.positions(), lag, metrics,
                labelMeters, live, dataParallel.enabled() ? dataParallel.start(models, threads) : null), pending, System.nanoTime());
        threads.every(PUNCTUATE_MILLIS, () -> guarded(() -> pipeline.punctuate(System.nanoTime())));
        ready = true;
        started.countDown();
    }

    /** Partitions are assigned once the models are restored, which can be just before start() has run. */
    void awaitStarted() {
        try {
            if (!started.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the training service did not start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Before the Kafka clients close: learn what is buffered, write a last checkpoint of every model, commit. */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        if (!ready) return; // the models never started: nothing to save
        ready = false;
        try {
            threads.call(() -> { // within the call's timeout: an unreachable broker must not hold the shutdown
                pipeline.finish();
                return null;
            });
        } catch (Exception e) {
            LOG.error("Final checkpoint failed", e);
        }
        decoding.close();
    }

    /** A polled batch: decoded, then run on the trainer's thread; completes once published and the pipeline wants more. */
    CompletionStage<Void> submit(List<Polled> polled) {
        awaitStarted(); // at once: partitions are assigned only after start (Partitions waits for it)
        long polledAt = System.nanoTime();
        return decoding.then(() -> pipeline.decode(polled, polledAt),
                inputs -> threads.submit(() -> guarded(() -> pipeline.runOnce(inputs, System.nanoTime()))))
                .thenCompose(published -> pipeline.whenReadyForMore());
    }

    /**
     * Partitions revoked, on the trainer's thread: a data-parallel shard sends its update first, then what is open
     * commits (at-least-once: the offsets to commit on the consumer are returned).
     */
    Map<TopicPartition, OffsetAndMetadata> commitForRevoke() {
        try {
            pipeline.syncNow();
            return outputs.commitForRevoke();
        } catch (OutputLog.Fenced e) {
            stopFenced(e);
            throw e;
        }
    }

    /**
     * Work on the trainer's thread. Being fenced is final: another instance took over this model set's transactional
     * id (a second trainer of the same models, or the next version during a rolling update); this one stops.
     */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (OutputLog.Fenced e) {
            stopFenced(e);
            throw e;
        }
    }

    private void stopFenced(OutputLog.Fenced e) {
        LOG.error(e.explain(outputs.transactionalId()));
        ready = false;
        Quarkus.asyncExit(3);
    }

    /** Per "topic-partition", the next offset to process (empty before start): the lag metric's "processed". */
    public Map<String, Long> nextOffsets() {
        return pipeline == null ? Map.of() : pipeline.nextOffsets();
    }

    public boolean isReady() {
        return ready;
    }
}
