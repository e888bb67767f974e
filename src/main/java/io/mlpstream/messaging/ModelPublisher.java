package io.mlpstream.messaging;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Publishes each model for predictor replicas, every mlp.publish.every on the trainer's thread: its snapshot to the
 * compacted models topic (key = model name) when it took a step since the last time, else a heartbeat (key = name
 * + ":heartbeat", value = its step), so that a replica's staleness measures how far behind it is, not how idle the
 * trainer is. Both go in the outputs' transactions, as everything the trainer writes.
 */
@ApplicationScoped
public class ModelPublisher {
    public static final String HEARTBEAT = ":heartbeat";

    @Inject
    Models models;

    @Inject
    Outputs outputs;

    private final Map<String, Long> published = new HashMap<>();

    /** Between chunks, on the trainer's thread: the weights are not changing. */
    void publish() {
        for (RunningModel m : models.all()) {
            long step = m.trainer().step();
            Long last = published.put(m.name(), step);
            if (last == null || last != step) {
                outputs.model(m.name(), CheckpointCodec.encode(m.trainer().checkpoint()));
            } else {
                outputs.model(m.name() + HEARTBEAT, String.valueOf(step).getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
