package io.mlpstream.api;

import io.mlpstream.service.ModelAdmin;
import io.mlpstream.service.Refused;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.Callable;

/** Admin operations (credentials checked by {@link AdminAuthFilter} before the body is read). */
@Path("/api/model")
public class AdminResource {

    @Inject
    ModelAdmin admin;

    record Loaded(boolean loaded, long step) {
    }

    /** The running model as a binary snapshot (the format of the model-checkpoints topic). */
    @GET
    @Path("/snapshot")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response download() throws Exception {
        try {
            return Response.ok(admin.download(null)).header("Content-Disposition", "attachment; filename=\"model.snapshot\"").build();
        } catch (Refused e) {
            return Problems.of(e);
        }
    }

    /** The serving model (or {@code ?model=}) as an ONNX graph that ONNX Runtime runs with the service's outputs. */
    @GET
    @Path("/onnx")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response onnx(@QueryParam("model") String model, @QueryParam("format") @DefaultValue("onnx") String format) throws Exception {
        return export(model, format);
    }

    /** The model for other runtimes: {@code ?format=onnx} (default) or {@code safetensors} (weights, for PyTorch). */
    @GET
    @Path("/export")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response export(@QueryParam("model") String model, @QueryParam("format") @DefaultValue("onnx") String format)
            throws Exception {
        try {
            byte[] file = admin.export(model, format);
            return Response.ok(file).header("Content-Disposition", "attachment; filename=\"model." + format + "\"").build();
        } catch (Refused e) {
            return Problems.of(e);
        }
    }

    /** Loads a snapshot into the running model; a corrupt one or one of another architecture is refused, untouched. */
    @PUT
    @Path("/snapshot")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(byte[] body) throws Exception {
        return refusedAsProblem(() -> new Loaded(true, admin.upload(null, body)));
    }

    /** Changes hyper-parameters from the next step on: learningRate, momentum, weightDecay, dropout, batchSize. */
    @PATCH
    @Path("/hyperparameters")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response patch(byte[] body) throws Exception {
        return refusedAsProblem(() -> admin.patch(null, body));
    }

    /** 200 with the result, or the problem (400, or 503 when the trainer is busy) that says why it was refused. */
    static Response refusedAsProblem(Callable<Object> operation) throws Exception {
        return refusedAsProblem(operation, 200);
    }

    /** {@code status} with the result (none for 204), or the problem that says why it was refused. */
    static Response refusedAsProblem(Callable<Object> operation, int status) throws Exception {
        try {
            Object result = operation.call();
            return status == 204 ? Response.noContent().build() : Response.status(status).entity(result).build();
        } catch (Refused e) {
            return Problems.of(e);
        }
    }
}
