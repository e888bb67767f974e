package io.mlpstream.pipeline;

import io.mlpstream.events.LateExample;
import io.mlpstream.learn.Examples;
import io.mlpstream.service.RunningModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The labels topic's records, answered after the images before them ({@link InputOrder}): routed, matched (or
 * kept until their image, or dead-lettered), and the matches learned as one more chunk. Trainer thread only.
 */
final class LabelRecords {
    private final LateLabels lateLabels;
    private final Outputs outputs;
    private final ModelTasks tasks;
    private final Positions positions;

    private final List<Source> sources = new ArrayList<>();
    /** Labels with nothing to learn, and their routes: they pass the models once the matches before them are in. */
    private record Passed(InputOrder.Input label, Route route) {
    }

    private final List<Passed> passed = new ArrayList<>();
    private final Examples chunk;

    LabelRecords(LateLabels lateLabels, Outputs outputs, ModelTasks tasks, Positions positions, int inputSize) {
        this.lateLabels = lateLabels;
        this.outputs = outputs;
        this.tasks = tasks;
        this.positions = positions;
        this.chunk = new Examples(512, inputSize);
    }

    /**
     * Labels in offset order, each answered once: a match is learned by every model it is routed to, scored by the
     * predictions made when the image arrived. Routed now, not when polled: a label of a partition given up
     * meanwhile is its next owner's.
     */
    void answer(List<InputOrder.Input> labels, List<RunningModel> all, Map<TopicPartition, long[]> ends) {
        chunk.clear();
        sources.clear();
        passed.clear(); // what a failed answer left
        List<String> names = Positions.names(all);
        for (InputOrder.Input l : labels) {
            Route route = positions.route(l.partition(), l.offset(), names);
            if (route.skip()) continue;
            ends.computeIfAbsent(l.partition(), k -> new long[1])[0] = l.offset() + 1;
            boolean publish = route.publish();
            LateExample late = publish ? lateLabels.label(l.partition(), l.offset(), l.timestamp(), l.key(), l.value())
                    : lateLabels.replayed(l.partition(), l.offset(), l.timestamp(), l.key(), l.value());
            if (late != null) {
                chunk.add(late.pixels(), 0, late.label());
                sources.add(new Source(late.id(), late.label(), late.labelTimestamp(), l.partition(), l.offset(),
                        route, late.pixels(), late.width(), late));
            } else {
                passed.add(new Passed(l, route));
                if (publish) outputs.consumed(l.partition(), l.offset() + 1);
            }
        }
        tasks.train(chunk, sources, all);
        // after the matches before them are in the models: a snapshot must never name a match it has not learned
        for (Passed p : passed) positions.passed(p.label().partition(), p.label().offset() + 1, p.route(), names);
        passed.clear();
        tasks.publish(sources, all);
    }
}
