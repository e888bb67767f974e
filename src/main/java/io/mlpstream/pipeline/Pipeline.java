package io.mlpstream.pipeline;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.learn.Examples;
import io.mlpstream.metrics.LabelMeters;
import io.mlpstream.metrics.LearningMetrics;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.service.LiveState;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.ModelSet;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainerThreads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The stream loop, as Kafka Streams' StreamThread runs its tasks: {@link #runOnce} takes what was polled and
 * decoded, puts it in timestamp order, lets every model predict then learn each image (test-then-train), publishes
 * the outputs in input order, matches the labels that came later, and commits when due; {@link #punctuate} does the
 * time-driven work. Both run on the trainer's thread. Nothing here knows Kafka's clients: the {@link Outputs} write.
 */
public final class Pipeline {
    /** What the loop is made of; the adapter ({@code PipelineRunner}) builds it, a test builds its own. */
    public record Parts(MlpConfig config, ModelSet models, TrainerThreads threads, Outputs outputs, Positions positions,
                        InputOrder.Fetched fetched, LearningMetrics metrics, LabelMeters labelMeters, LiveState live,
                        ShardSync sync) {
        /** Single mode: one trainer per model set, no shards to sync. */
        public Parts(MlpConfig config, ModelSet models, TrainerThreads threads, Outputs outputs, Positions positions,
                     InputOrder.Fetched fetched, LearningMetrics metrics, LabelMeters labelMeters, LiveState live) {
            this(config, models, threads, outputs, positions, fetched, metrics, labelMeters, live, null);
        }
    }

    /** Images a label waits for at most, beyond those before it, so that chunks stay large enough to run fast. */
    private static final int LABEL_SLACK = 16;
    /**
     * Images, or labels, in one chunk at most: a long wait released at once is trained, published and committed piece
     * by piece, and the buffers sized for one chunk stay that size (review finding 17: 100,000 labels kept 313 MB).
     */
    private static final int MAX_CHUNK = 1024;
    private static final CompletionStage<Void> READY = CompletableFuture.completedFuture(null);

    private final Parts parts;
    private final ImageDecoder decoder;
    private final LateLabels lateLabels;
    private final LabelRecords labelRecords;
    private final ModelTasks tasks;
    private final ModelPublisher publisher;
    private final InputOrder order;
    private final Examples chunk;
    private final List<Source> sources = new ArrayList<>();
    private final List<InputOrder.Input> labels = new ArrayList<>();
    /** Next offset to process, per "topic-partition", for the lag metric. */
    private final Map<String, Long> nextOffsets = new ConcurrentHashMap<>();
    /** The same, for the chunk being processed, folded into nextOffsets once per partition at its end. */
    private final Map<TopicPartition, long[]> chunkEnds = new HashMap<>();
    private long lastPoll;

    /** Partial batches wait at most idle-flush: looked at five times within it, at least every 200 ms. */
    private final Interval flushIdle;
    /** A unit commits every commit-interval: looked at twice within it. */
    private final Interval commitCheck;
    /** A label whose image never came is dead-lettered within a quarter of max-early of its expiry. */
    private final Interval expireLabels;
    /** A record held back for another partition's is looked at again as the lag monitor learns more (once a second). */
    private final Interval reorder;
    /** Replicas get each model's weights, or a heartbeat, every publish.every. */
    private final Interval publish;

    /**
     * {@code pendingLabels}: what the delayed-label join kept, each id's newest entry oldest first (read back after
     * the outputs fenced an older instance). {@code now}: nanoTime, the clock {@link #punctuate} is given.
     */
    public Pipeline(Parts parts, List<Map.Entry<String, Object>> pendingLabels, long now) {
        this.parts = parts;
        MlpConfig config = parts.config();
        ModelConfig model = parts.models().all().get(0).trainer().learner().config();
        this.decoder = new ImageDecoder(model.inputSize(), model.classes(), config.limits().maxRecordBytes(), config.limits().maxImageSide());
        this.lateLabels = new LateLabels(config, parts.outputs(), parts.labelMeters(), model.classes(), pendingLabels);
        this.tasks = new ModelTasks(parts, lateLabels);
        this.labelRecords = new LabelRecords(lateLabels, parts.outputs(), tasks, parts.positions(), model.inputSize());
        this.publisher = new ModelPublisher(parts.models(), parts.outputs());
        this.order = new InputOrder(lateLabels::isLabels, parts.fetched(), System::nanoTime);
        this.chunk = new Examples(512, model.inputSize());
        this.lastPoll = now;
        long idle = parts.models().all().stream().mapToLong(m -> m.trainer().config().idleFlush().toMillis()).min().orElse(1000);
        flushIdle = new Interval(Math.max(10, Math.min(200, idle / 5)), now);
        commitCheck = new Interval(Math.max(5, Math.min(100, config.delivery().commitInterval().toMillis() / 2)), now);
        expireLabels = new Interval(Math.max(50, Math.min(1000, config.labels().maxEarly().toMillis() / 4)), now);
        reorder = new Interval(100, now);
        publish = new Interval(config.publish().every().toMillis(), now);
    }

    /** On the decode stage's thread: the polled records, each image parsed and validated (labels are, when answered). */
    public List<InputOrder.Input> decode(List<Polled> polled, long polledAt) {
        List<InputOrder.Input> inputs = new ArrayList<>(polled.size());
        for (Polled p : polled) {
            boolean image = !lateLabels.isLabels(p.partition().topic());
            inputs.add(new InputOrder.Input(p.partition(), p.offset(), p.timestamp(), polledAt, p.key(), p.value(),
                    image ? DecodeStage.decode(decoder, p.value()) : null));
        }
        return inputs;
    }

    /** One poll's records, decoded: everything they free is trained, published and, when due, committed. */
    public void runOnce(List<InputOrder.Input> polled, long now) {
        polled.forEach(order::add);
        lastPoll = now;
        processInOrder(false);
    }

    /**
     * Completes when the pipeline may take the next poll: at once, except for a data-parallel shard too far ahead of
     * the newest version ({@link ShardSync#whenNotTooFarAhead}); until then the consumer fetches nothing more.
     */
    public CompletionStage<Void> whenReadyForMore() {
        return parts.sync() == null ? READY : parts.sync().whenNotTooFarAhead();
    }

    /** The time-driven work, each at its own {@link Interval}; {@code now} is nanoTime. */
    public void punctuate(long now) {
        if (flushIdle.due(now)) tasks.flushIfIdle();
        if (reorder.due(now)) processIfIdle(now);
        if (expireLabels.due(now)) lateLabels.expire();
        if (publish.due(now) && parts.sync() == null) publisher.publish(); // data-parallel: the averager publishes
        if (commitCheck.due(now)) commitIfDue();
    }

    /** At shutdown: every model learns what it has buffered, a last snapshot of each is written, and all commits. */
    public void finish() {
        tasks.flushAndSnapshot();
        syncNow();
        parts.outputs().commit();
    }

    /** Commits the open unit when due; a data-parallel shard sends what it learned first, every sync-every. */
    private void commitIfDue() {
        if (parts.sync() == null) {
            parts.outputs().commitIfDue();
        } else if (parts.sync().due(System.nanoTime())) {
            long start = System.nanoTime();
            syncNow();
            parts.outputs().commit();
            parts.metrics().synced(System.nanoTime() - start);
        }
    }

    /**
     * Data-parallel, before any commit: every model learns what it has buffered and each shard's update joins the open
     * unit, so that the unit commits no input offset whose example is in no update. Single mode: nothing.
     */
    public void syncNow() {
        if (parts.sync() == null) return;
        tasks.flush();
        parts.sync().sendUpdates(parts.outputs());
    }

    /**
     * No poll for a while and the images fetched to their end (or a long while): what is buffered has nothing older
     * to wait for. Otherwise again, with the lag monitor's newer view of which partitions have records left.
     */
    private void processIfIdle(long now) {
        if (order.size() == 0) return;
        long idle = now - lastPoll;
        processInOrder(idle > 200_000_000L && parts.fetched().imagesCaughtUp(lastPoll) || idle > 5_000_000_000L);
    }

    /**
     * The buffered records in timestamp order ({@link InputOrder}): images in chunks, each trained and published
     * before the labels that came after it are answered. A label waits for at most {@link #LABEL_SLACK} images.
     */
    private void processInOrder(boolean drain) {
        List<RunningModel> all = parts.models().all();
        List<String> names = Positions.names(all);
        chunk.clear();
        sources.clear();
        labels.clear();
        InputOrder.Input in;
        while ((in = order.next(drain || order.size() > parts.config().labels().maxPending())) != null) {
            if (lateLabels.isLabels(in.partition().topic())) {
                labels.add(in);
                if (labels.size() >= MAX_CHUNK) { // a drained backlog of labels, answered (and its buffers sized) piece by piece
                    trainAndAnswer(all);
                    commitIfDue();
                }
                continue;
            }
            if (!labels.isEmpty() && sources.size() >= LABEL_SLACK || sources.size() >= MAX_CHUNK) {
                trainAndAnswer(all);
                commitIfDue();
            }
            Route route = parts.positions().route(in.partition(), in.offset(), names);
            if (route.skip()) continue;
            chunkEnds.computeIfAbsent(in.partition(), k -> new long[1])[0] = in.offset() + 1; // offsets rise within a partition
            image(in, route, all);
        }
        trainAndAnswer(all);
        chunkEnds.forEach((tp, end) -> nextOffsets.put(tp.toString(), end[0]));
        chunkEnds.clear();
        commitIfDue();
    }

    /** The chunk: every model predicts then learns it, its outputs go out in input order, then the labels after it. */
    private void trainAndAnswer(List<RunningModel> all) {
        tasks.train(chunk, sources, all);
        tasks.publish(sources, all);
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
            parts.metrics().deadLetter(e.reason());
            parts.outputs().deadLetter(in.key(), in.value(), e, tp, in.offset());
            parts.outputs().consumed(tp, in.offset() + 1); // the offsets of a unit never run ahead of its outputs
        }
    }

    /** Per "topic-partition", the next offset the loop will process: the lag metric's "processed". */
    public Map<String, Long> nextOffsets() {
        return nextOffsets;
    }
}
