package io.mlpstream.pipeline;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The decode stage: on a thread of its own ({@code mlp-decoder}), each polled batch of image records is parsed and
 * validated (JSON, base64, sizes, labels) before the trainer's thread takes it, so that the trainer's thread spends
 * its time predicting and training. Batches go on to the trainer in the order they were polled: each is handed over
 * from within its own decoding task, and the stage has one thread. What a record decodes to is kept with it
 * ({@link Decoded}); the trainer's thread still decides what to do with it (route, dead-letter), in input order.
 */
public final class DecodeStage implements AutoCloseable {
    /** What an image record decoded to: its event, or why it is invalid. */
    public record Decoded(ImageEvent event, InvalidEvent invalid) {
        ImageEvent get() throws InvalidEvent {
            if (invalid != null) throw invalid;
            return event;
        }
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mlp-decoder");
        t.setDaemon(true);
        return t;
    });
    static Decoded decode(ImageDecoder decoder, byte[] value) {
        try {
            return new Decoded(decoder.decode(value), null);
        } catch (InvalidEvent e) {
            return new Decoded(null, e);
        }
    }

    /**
     * Runs {@code decode} on the stage's thread, then hands its result to {@code next} (which queues it on the
     * trainer's thread) from that same task; completes when {@code next}'s stage does.
     */
    public <T> CompletionStage<Void> then(Supplier<T> decode, Function<T, CompletionStage<Void>> next) {
        return CompletableFuture.supplyAsync(() -> next.apply(decode.get()), thread).thenCompose(s -> s);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
