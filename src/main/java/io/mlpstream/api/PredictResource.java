package io.mlpstream.api;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Prediction;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.Tensor;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** POST /api/predict: one image event in (any label is ignored), its prediction out. Runs beside training. */
@Path("/api/predict")
public class PredictResource {

    @Inject
    Instance<OnlineTrainer> trainer;

    @ConfigProperty(name = "mlp.model-name", defaultValue = "mnist-mlp")
    String modelName;

    @ConfigProperty(name = "mlp.limits.max-record-bytes", defaultValue = "1048576")
    int maxBytes;

    @ConfigProperty(name = "mlp.limits.max-image-side", defaultValue = "4096")
    int maxSide;

    // On the event loop: a 28x28 forward pass is ~0.1 ms of CPU, less than the hop to a worker thread
    // and back, which dominated the latency at a steady request rate. PNGs (decoding and rescaling of up
    // to max-image-side squared pixels) stay on worker threads.
    @POST
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(byte[] body) {
        OnlineTrainer t = trainer.get();
        if (t == null) {
            return Problems.of(503, "Not ready", "the model is not loaded yet");
        }
        Model model = t.model();
        ImageEvent event;
        try {
            event = new ImageDecoder(model.config().inputSize(), model.config().classes(), maxBytes, maxSide)
                    .decodeIgnoringLabel(body);
        } catch (InvalidEvent e) {
            int status = InvalidEvent.TOO_LARGE.equals(e.reason()) ? 413 : 400;
            return Problems.of(status, "Invalid image: " + e.reason(), e.detail());
        }
        return Response.ok(predict(t, event.id(), event.pixels())).build();
    }

    /** A PNG of any size, made into a 28x28 MNIST-style digit first (see {@link PngImages}). */
    @POST
    @Consumes("image/png")
    @Produces(MediaType.APPLICATION_JSON)
    public Response predictPng(byte[] body) {
        OnlineTrainer t = trainer.get();
        if (t == null) {
            return Problems.of(503, "Not ready", "the model is not loaded yet");
        }
        if (t.model().config().inputSize() != 28 * 28) {
            return Problems.of(415, "PNG not supported", "the model does not take 28x28 images");
        }
        byte[] pixels;
        try {
            pixels = PngImages.toMnist(body, maxSide);
        } catch (PngImages.Refused e) {
            return Problems.of(e.status, e.status == 413 ? "Image too large" : "Invalid PNG", e.getMessage());
        }
        return Response.ok(predict(t, null, pixels)).build();
    }

    private Prediction predict(OnlineTrainer t, String id, byte[] pixels) {
        Model model = t.model();
        Tensor x = new Tensor(1, model.config().inputSize());
        for (int i = 0; i < x.size(); i++) x.set(i, (pixels[i] & 0xFF) / 255f);
        Tensor logProbs = t.predict(x);
        float[] probabilities = new float[logProbs.cols()];
        for (int c = 0; c < probabilities.length; c++) probabilities[c] = (float) Math.exp(logProbs.get(0, c));
        int predicted = Model.argmax(logProbs, 0);
        return new Prediction(id, predicted, probabilities[predicted], probabilities, null, null, null,
                modelName, model.step(), System.currentTimeMillis());
    }
}
