package io.mlpstream.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes polled batches from the images topic and hands them to the trainer's thread. */
@ApplicationScoped
public class ImageConsumer {

    @Inject
    PipelineRunner training;

    @Incoming("images")
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return training.submit(batch);
    }
}
