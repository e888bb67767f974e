package io.mlpstream.messaging;

// Long because: the stream loop, its five timers and the rebalance hand-offs still live here; the pipeline package
// (issue 24) takes the loop out.

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.LateExample;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.Role;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainerThreads;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.jboss.logging.Logger;

/**
 * The Kafka side of training: polled batches of image records come in; each record is decoded once (or
 * dead-lettered), then every model predicts it, buffers it and trains, each model on its own worker; then the
 * predictions are published in order (the serving model's to predictions, every model's to model-predictions
 * when several run). {@link Partitions} says of each record whether to publish it and which models learn it
 * (after a restore, records already published are learned again but not published again), and the
 * {@link Outputs} commit what was published with the input offsets. Nothing here knows how a network learns.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @Inject
    TrainerThreads threads;

    @Inject
    Outputs outputs;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    @Inject
    LearningMetrics metrics;

    private DecodeStage decoding;
    private Examples chunk;
    private final List<Source> sources = new ArrayList<>();
    @Inject
    ModelRuns runs;

    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;
    /** Next offset to process, per "topic-partition", for the lag metric. */
    private final Map<String, Long> nextOffsets = new ConcurrentHashMap<>();
    /** The same, for the chunk being processed, folded into nextOffsets once per partition at its end. */
    private final Map<TopicPartition, long[]> chunkEnds = new HashMap<>();

    /** Where a row of the current chunk came from, and its route ({@link Partitions#route}). */
    record Source(String id, Integer label, long timestamp, TopicPartition partition, long offset, Route route, byte[] pixels,
                  int width, LateExample late) {
        /** A label that completed a waiting image: learned, scored by the predictions made on arrival, not published. */
        boolean isLate() {
            return late != null;
        }
    }

    @Inject
    LateLabels lateLabels;

    @Inject
    LabelRecords labelRecords;

    @Inject
    LagMonitor lag;

    @Inject
    ModelPublisher publisher;

    /** Images a label waits for at most, beyond those before it, so that chunks stay large enough to run fast. */
    private static final int LABEL_SLACK = 16;
    /**
     * Images, or labels, in one chunk at most: a long wait released at once is trained, published and committed piece
     * by piece, and the buffers sized for one chunk stay that size (review finding 17: 100,000 labels kept 313 MB).
     */
    private static final int MAX_CHUNK = 1024;
    private InputOrder order;
    private final List<InputOrder.Input> labels = new ArrayList<>();
    private volatile long lastPoll = System.nanoTime();


    void start(@Observes @Priority(11) StartupEvent event) {
        if (config.role() == Role.PREDICT) return; // a replica never trains, commits or writes
        OnlineTrainer first = models.all().get(0).trainer();
        int inputSize = first.learner().config().inputSize();
        decoding = new DecodeStage(new ImageDecoder(inputSize, first.learner().config().classes(),
                config.limits().maxRecordBytes(), config.limits().maxImageSide()));
        chunk = new Examples(512, inputSize);
        metrics.bind(InvalidEvent.REASONS, outputs::commitFailures, outputs::droppedOutputs);
        metrics.bindCommits(outputs::commits, outputs::commitNanos);
        lateLabels.start(first.learner().config().classes());
        labelRecords.start(inputSize);
        order = new InputOrder(labelRecords::isLabels, lag, System::nanoTime);
        runs.start();
        long idle = models.all().stream().mapToLong(m -> m.trainer().config().idleFlush().toMillis()).min().orElse(1000);
        threads.every(Math.max(10, Math.min(200, idle / 5)), this::flushIfIdle);
        long commitCheck = Math.max(5, Math.min(100, config.delivery().commitInterval().toMillis() / 2));
        threads.every(commitCheck, () -> guarded(outputs::commitIfDue));
        long sweep = Math.max(50, Math.min(1000, config.labels().maxEarly().toMillis() / 4));
        threads.every(sweep, () -> guarded(lateLabels::expire));
        threads.every(100, () -> guarded(this::processIfIdle));
        threads.every(config.publish().every().toMillis(), () -> guarded(publisher::publish));
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
                runs.flushAndSnapshot();
                outputs.commit();
                return null;
            });
        } catch (Exception e) {
            LOG.error("Final checkpoint failed", e);
        }
        decoding.close();
    }

    /**
     * Called by the Kafka adapter; the batch is decoded on the decode stage, then queued on the trainer's thread.
     * Completes once the batch is predicted and published (not yet trained).
     */
    public CompletionStage<Void> submit(KafkaRecordBatch<String, byte[]> batch) {
        awaitStarted(); // at once: partitions are assigned only after start (Partitions waits for it)
        return decoding.then(() -> inputs(batch), inputs -> threads.submit(() -> guarded(() -> process(inputs, batch))));
    }

    /** On the decode stage: the batch's records, each image decoded. */
    private List<InputOrder.Input> inputs(KafkaRecordBatch<String, byte[]> batch) {
        long polledAt = System.nanoTime();
        List<InputOrder.Input> inputs = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getOffset()).orElse(-1L);
            boolean image = !labelRecords.isLabels(record.getTopic());
            inputs.add(new InputOrder.Input(new TopicPartition(record.getTopic(), record.getPartition()), offset,
                    timestamp(record), polledAt, record.getKey(), record.getPayload(), image ? decoding.decode(record.getPayload()) : null));
        }
        return inputs;
    }

    /**
     * On the polling thread, when partitions are revoked: in one task on the trainer's thread, what is open is
     * committed and the partitions are given up, so that no record of theirs is routed after the commit.
     */
    Map<TopicPartition, OffsetAndMetadata> revoke(Collection<TopicPartition> revoked, long epoch) throws Exception {
        return threads.call(() -> {
            try {
                return outputs.commitForRevoke();
            } catch (OutputLog.Fenced e) {
                stopFenced(e);
                throw e;
            } finally {
                partitions.giveUp(revoked, epoch, false);
            }
        });
    }

    /** Partitions lost without a revocation (the session expired): too late to commit; their open outputs are dropped. */
    void lose(Collection<TopicPartition> lost, long epoch) throws Exception {
        threads.call(() -> {
            partitions.giveUp(lost, epoch, true);
            outputs.discard(lost);
            return null;
        });
    }

    private void process(List<InputOrder.Input> inputs, KafkaRecordBatch<String, byte[]> batch) {
        inputs.forEach(order::add);
        lastPoll = System.nanoTime();
        processInOrder(false);
        batch.ack(); // nothing to commit here (commit-strategy=ignore): the Outputs commit the offsets
    }

    /**
     * Between polls: what the lag monitor now says may free buffered records; no poll for a while and the images
     * fetched to their end (or a long while): what is buffered has nothing older to wait for.
     */
    private void processIfIdle() {
        if (order.size() == 0) return;
        long idle = System.nanoTime() - lastPoll;
        // again, with the lag monitor's newer view of which partitions have records left; all of it when idle
        processInOrder(idle > 200_000_000L && lag.imagesCaughtUp(lastPoll) || idle > 5_000_000_000L);
    }

    /**
     * The buffered records in timestamp order ({@link InputOrder}): images in chunks, each trained and published
     * before the labels that came after it are answered. A label waits for at most {@link #LABEL_SLACK} images.
     */
    private void processInOrder(boolean drain) {
        List<RunningModel> all = models.all();
        List<String> names = Partitions.names(all);
        chunk.clear();
        sources.clear();
        labels.clear();
        InputOrder.Input in;
        while ((in = order.next(drain || order.size() > config.labels().maxPending())) != null) {
            if (labelRecords.isLabels(in.partition().topic())) {
                labels.add(in);
                if (labels.size() >= MAX_CHUNK) { // a drained backlog of labels, answered (and its buffers sized) piece by piece
                    trainAndAnswer(all);
                    outputs.commitIfDue();
                }
                continue;
            }
            if (!labels.isEmpty() && sources.size() >= LABEL_SLACK || sources.size() >= MAX_CHUNK) {
                trainAndAnswer(all);
                outputs.commitIfDue();
            }
            Route route = partitions.route(in.partition(), in.offset(), names);
            if (route.skip()) continue;
            chunkEnds.computeIfAbsent(in.partition(), k -> new long[1])[0] = in.offset() + 1; // offsets rise within a partition
            image(in, route, all);
        }
        trainAndAnswer(all);
        chunkEnds.forEach((tp, end) -> nextOffsets.put(tp.toString(), end[0]));
        chunkEnds.clear();
        outputs.commitIfDue();
    }

    private void trainAndAnswer(List<RunningModel> all) {
        runs.train(chunk, sources, all);
        runs.publish(sources, all);
        chunk.clear();
        sources.clear();
        if (labels.isEmpty()) return;
        labelRecords.answer(labels, all, chunkEnds);
        labels.clear();
    }

    private void image(InputOrder.Input in, Route route, List<RunningModel> all) {
        boolean publish = route.publish();
        TopicPartition tp = in.partition();
        try {
            ImageEvent event = in.decoded().get();
            String id = event.id() != null ? event.id() : tp + "-" + in.offset();
            // a label that came first and waited makes this a labeled image
            Integer label = event.label() != null ? event.label() : lateLabels.waitingLabel(id, tp, in.offset(), in.timestamp(), publish);
            if (!publish && label == null) return; // nothing to learn, published before
            chunk.add(event.pixels(), 0, label == null ? Examples.UNLABELED : label);
            sources.add(new Source(id, label, in.timestamp(), tp, in.offset(), route, event.pixels(), event.width(), null));
        } catch (InvalidEvent e) {
            if (!publish) return; // dead-lettered before
            // the rows before it are published first: its offset must not commit them unpublished (review S4)
            if (!sources.isEmpty()) trainAndAnswer(all);
            metrics.deadLetter(e.reason());
            outputs.deadLetter(in.key(), in.value(), e, tp, in.offset());
            outputs.consumed(tp, in.offset() + 1); // the offsets of a unit never run ahead of its outputs
        }
    }

    /** The record's own time, as the broker stored it: with its offset, what identifies a record read again. */
    private static long timestamp(KafkaRecord<String, byte[]> record) {
        return record.getTimestamp() == null ? 0 : record.getTimestamp().toEpochMilli();
    }

    public Map<String, Long> nextOffsets() {
        return nextOffsets;
    }

    private void flushIfIdle() {
        guarded(runs::flushIfIdle);
    }

    /**
     * Work on the trainer's thread. Being fenced is final: another instance took over this model set's
     * transactional id (a second trainer of the same models, or the next version during a rolling
     * update), so this one must stop writing and leave.
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
        if (e.getCause() instanceof AuthorizationException
                || e.getCause() instanceof UnsupportedVersionException) {
            LOG.errorf("This instance may not use transactional id %s (%s): this one stops. Grant it, or set "
                    + "mlp.delivery.guarantee=at-least-once for a broker without transactions.", outputs.transactionalId(), e.getMessage());
        } else {
            LOG.errorf("Another instance took over transactional id %s (%s): this one stops. Run one trainer per model set.",
                    outputs.transactionalId(), e.getMessage());
        }
        ready = false;
        Quarkus.asyncExit(3);
    }

    /** The serving model's step, 0 before it is built. */
    public long step() {
        RunningModel m = models.serving();
        return m == null ? 0 : m.trainer().step();
    }

    public boolean isReady() {
        return ready;
    }
}
