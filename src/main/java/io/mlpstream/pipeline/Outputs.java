package io.mlpstream.pipeline;

import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.LateExample;
import io.mlpstream.events.Prediction;
import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.learn.ModelUpdate;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the pipeline writes, one method per output topic, and the input offsets those outputs answer. The
 * implementation ({@code KafkaOutputs} in {@code messaging}) sends them through one transactional producer, so that
 * the outputs of a unit and its input offsets commit together (Kafka's exactly-once, as Kafka Streams' task commit);
 * a test records them. Called on the trainer's thread only, in input order.
 */
public interface Outputs {
    /**
     * The serving model's prediction of an input record; {@code alsoPerModel} while several models run, when it goes to
     * {@link #modelPrediction} too. {@code onCommitted} runs once it is committed.
     */
    void prediction(Prediction p, long inputTimestamp, boolean alsoPerModel, TopicPartition source, Runnable onCommitted);

    /** One model's prediction, when several models run; {@code onCommitted} runs once it is committed. */
    void modelPrediction(Prediction p, long inputTimestamp, TopicPartition source, Runnable onCommitted);

    /** A record of training-events (a serving switch, a drift, a swap), key = model name. */
    void event(String model, Object event);

    /** A model's training metrics: telemetry, so one refused is counted ({@code onDropped}) and training goes on. */
    void metrics(String model, TrainingMetrics m, Consumer<Throwable> onDropped);

    /** An image record that could not be used, to images-dlq with its reason. */
    void deadLetter(String key, byte[] value, InvalidEvent why, TopicPartition source, long offset);

    /** A labels record that could not be used, to labels-dlq; {@code source} is its topic-partition-offset. */
    void labelDeadLetter(String key, byte[] value, InvalidEvent why, String source, TopicPartition input);

    /** An image whose label came later, matched, for the statistics and for anyone who wants labeled images. */
    void lateExample(LateExample example, TopicPartition source);

    /** A model's weights for predictor replicas (key = model name), or its heartbeat (key = name + ":heartbeat"). */
    void model(String key, byte[] value);

    /** Data-parallel: what a shard learned since its last update, for the averager (key = model name). */
    void modelUpdate(String model, ModelUpdate update);

    /** An entry of the pending-labels changelog (an image, an early label or an outcome; null: a tombstone). */
    void pendingLabel(String id, Object entry);

    /** The input partition's records before {@code next} are answered: their offset may commit with these outputs. */
    void consumed(TopicPartition tp, long next);

    /** Commits the open unit if the commit interval has passed since the last commit. */
    void commitIfDue();

    /** Commits the open unit now. */
    void commit();
}
