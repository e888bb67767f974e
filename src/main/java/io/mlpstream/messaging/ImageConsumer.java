package io.mlpstream.messaging;

import io.mlpstream.pipeline.Polled;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes polled batches from the images and labels topics and hands them to the pipeline. */
@ApplicationScoped
public class ImageConsumer {

    @Inject
    PipelineRunner training;

    @Incoming("images")
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<Polled> polled = batch.getRecords().stream().map(r -> new Polled(new TopicPartition(r.getTopic(), r.getPartition()),
                r.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getOffset()).orElse(-1L),
                r.getTimestamp() == null ? 0 : r.getTimestamp().toEpochMilli(), r.getKey(), r.getPayload())).toList();
        return training.submit(polled);
    }
}
