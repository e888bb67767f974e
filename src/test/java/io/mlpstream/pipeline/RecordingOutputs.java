package io.mlpstream.pipeline;

import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.LateExample;
import io.mlpstream.events.Prediction;
import io.mlpstream.learn.ModelUpdate;
import io.mlpstream.events.TrainingEvent;
import io.mlpstream.events.TrainingMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The pipeline's outputs, recorded in the order they were written, as the transactional producer would send them.
 * It checks the one rule a commit relies on as the pipeline goes: when an input offset is marked consumed, every
 * image record before it in its partition has its prediction or its dead letter written already, so that a commit
 * never carries an offset ahead of the outputs it covers. Images have ids "&lt;partition&gt;-&lt;offset&gt;".
 */
final class RecordingOutputs implements Outputs {
    final List<String> predictions = new ArrayList<>();
    final List<String> deadLetters = new ArrayList<>();
    final List<String> labelDeadLetters = new ArrayList<>();
    final List<String> lateExamples = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final Map<String, Prediction> byId = new HashMap<>();
    /** Per images partition, the offsets answered (predicted or dead-lettered). */
    private final Map<TopicPartition, TreeSet<Long>> answered = new HashMap<>();
    /** Per input partition, the highest offset marked consumed. */
    final Map<TopicPartition, Long> consumed = new HashMap<>();
    /** Per images partition, the offsets below which every record was found answered. */
    private final Map<TopicPartition, Long> checked = new HashMap<>();
    int commits;
    /** Data-parallel: the updates sent, and the labeled images predicted (each must be in an update before a commit). */
    final List<ModelUpdate> updates = new ArrayList<>();
    private long labeledPredictions;
    boolean dataParallel;

    private void answered(TopicPartition tp, long offset) {
        answered.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    }

    @Override
    public synchronized void prediction(Prediction p, long inputTimestamp, boolean alsoPerModel, TopicPartition source,
                                        Runnable onCommitted) {
        predictions.add(p.id());
        if (p.label() != null) labeledPredictions++;
        byId.put(p.id(), p);
        answered(source, Long.parseLong(p.id().substring(p.id().lastIndexOf('-') + 1)));
    }

    @Override
    public void modelPrediction(Prediction p, long inputTimestamp, TopicPartition source, Runnable onCommitted) {
    }

    @Override
    public synchronized void event(String model, Object event) {
        events.add(((TrainingEvent) event).type() + "@" + ((TrainingEvent) event).examples());
    }

    @Override
    public void metrics(String model, TrainingMetrics m, Consumer<Throwable> onDropped) {
    }

    @Override
    public synchronized void deadLetter(String key, byte[] value, InvalidEvent why, TopicPartition source, long offset) {
        deadLetters.add(source + "-" + offset + ":" + why.reason());
        answered(source, offset);
    }

    @Override
    public synchronized void labelDeadLetter(String key, byte[] value, InvalidEvent why, String source, TopicPartition input) {
        labelDeadLetters.add(key + ":" + why.reason());
    }

    @Override
    public synchronized void lateExample(LateExample example, TopicPartition source) {
        lateExamples.add(example.id() + "=" + example.label());
    }

    @Override
    public void model(String key, byte[] value) {
    }

    /** The pending-labels changelog as compaction would leave it: the newest entry per id. */
    final Map<String, Object> pending = new java.util.LinkedHashMap<>();

    @Override
    public synchronized void pendingLabel(String id, Object entry) {
        if (entry == null) pending.remove(id);
        else pending.put(id, entry);
    }

    @Override
    public void modelUpdate(String model, ModelUpdate update) {
        updates.add(update);
    }

    /** The group's committed position: the outputs of the records before it were published by an earlier run. */
    synchronized void publishedBefore(TopicPartition tp, long committed) {
        checked.put(tp, committed);
    }

    @Override
    public synchronized void consumed(TopicPartition tp, long next) {
        consumed.merge(tp, next, Math::max);
        if (tp.topic().equals("labels")) return;
        TreeSet<Long> done = answered.getOrDefault(tp, new TreeSet<>());
        for (long offset = checked.getOrDefault(tp, 0L); offset < next; offset++) {
            if (!done.contains(offset)) {
                violations.add(tp + " consumed up to " + next + " before the output of offset " + offset);
                return;
            }
        }
        checked.merge(tp, next, Math::max);
    }

    @Override
    public synchronized void commitIfDue() {
        commits++;
    }

    @Override
    public synchronized void commit() {
        commits++;
        long sent = updates.stream().mapToLong(ModelUpdate::examples).sum();
        if (dataParallel && sent < labeledPredictions) violations.add("a commit after " + labeledPredictions + " labeled predictions, of which updates held " + sent);
    }
}
