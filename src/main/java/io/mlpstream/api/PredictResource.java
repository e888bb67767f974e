package io.mlpstream.api;

import io.mlpstream.events.ImageDecoder;
import io.mlpstream.events.ImageEvent;
import io.mlpstream.events.InvalidEvent;
import io.mlpstream.events.Prediction;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Refused;
import io.mlpstream.service.ServingModel;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/** POST /api/predict: one image event in (any label is ignored), its prediction out. Runs beside training. */
@Path("/api/predict")
public class PredictResource {

    @Inject
    ServingModel model;

    @Inject
    MlpConfig config;

    private volatile ImageDecoder decoder;

    // On the event loop: a 28x28 forward pass is ~0.1 ms of CPU, less than the hop to a worker thread
    // and back, which dominated the latency at a steady request rate. PNGs (decoding and rescaling of up
    // to max-image-side squared pixels) stay on worker threads.
    @POST
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(byte[] body) {
        Optional<Response> refused = refused();
        if (refused.isPresent()) return refused.get();
        ImageDecoder d = decoder();
        if (d == null) return notReady();
        ImageEvent event;
        try {
            event = d.decodeIgnoringLabel(body);
        } catch (InvalidEvent e) {
            int status = InvalidEvent.TOO_LARGE.equals(e.reason()) ? 413 : 400;
            return Problems.of(status, "Invalid image: " + e.reason(), e.detail());
        }
        return answer(model.predict(event.id(), event.pixels()));
    }

    /** A PNG of any size, made into a 28x28 MNIST-style digit first. */
    @POST
    @Consumes("image/png")
    @Produces(MediaType.APPLICATION_JSON)
    public Response predictPng(byte[] body) {
        Optional<Response> refused = refused();
        if (refused.isPresent()) return refused.get();
        try {
            return answer(model.predictPng(body));
        } catch (Refused e) {
            return Problems.of(e);
        }
    }

    /** Every model's prediction of a PNG (the live page's canvas), the serving model's first. */
    @POST
    @Path("/all")
    @Consumes("image/png")
    @Produces(MediaType.APPLICATION_JSON)
    public Response predictPngAll(byte[] body) {
        Optional<Response> refused = refused();
        if (refused.isPresent()) return refused.get();
        try {
            List<Prediction> all = model.predictPngAll(body);
            return all.isEmpty() ? notReady() : Response.ok(all).build();
        } catch (Refused e) {
            return Problems.of(e);
        }
    }

    /** Every model's prediction of an image event. */
    @POST
    @Path("/all")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predictAll(byte[] body) {
        Optional<Response> refused = refused();
        if (refused.isPresent()) return refused.get();
        ImageDecoder d = decoder();
        if (d == null) return notReady();
        try {
            List<Prediction> all = model.predictAll(d.decodeIgnoringLabel(body).pixels());
            return all.isEmpty() ? notReady() : Response.ok(all).build();
        } catch (InvalidEvent e) {
            int status = InvalidEvent.TOO_LARGE.equals(e.reason()) ? 413 : 400;
            return Problems.of(status, "Invalid image: " + e.reason(), e.detail());
        }
    }

    /** A predictor replica without a model, or staler than mlp.predict.max-staleness, does not answer. */
    private Optional<Response> refused() {
        return model.refusal().map(why -> Problems.of(503, "Model unavailable", why));
    }

    private static Response answer(Optional<Prediction> p) {
        return p.isEmpty() ? notReady() : Response.ok(p.get()).build();
    }

    /** One decoder for every request, once the model's input size is known. */
    private ImageDecoder decoder() {
        if (decoder == null && model.inputSize().isPresent()) {
            decoder = new ImageDecoder(model.inputSize().get(), model.classes(),
                    config.limits().maxRecordBytes(), config.limits().maxImageSide());
        }
        return decoder;
    }

    private static Response notReady() {
        return Problems.of(503, "Not ready", "the model is not loaded yet");
    }
}
