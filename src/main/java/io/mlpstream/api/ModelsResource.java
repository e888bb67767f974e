package io.mlpstream.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.mlpstream.service.ModelAdmin;
import io.mlpstream.service.ModelInfo;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Every model the service trains, with the fields of /api/model and whether it is the one serving
 * /api/predict and the predictions topic. Adding, removing and changing one are admin operations.
 */
@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    Models models;

    @Inject
    ModelAdmin admin;

    /** A model as /api/model shows it, and whether it serves. */
    public record Entry(@JsonUnwrapped ModelInfo info, boolean serving) {
    }

    @GET
    public List<Entry> all() {
        String serving = models.servingName();
        if (serving == null) throw Problems.notReady();
        return models.all().stream().map(m -> new Entry(m.info(), m.name().equals(serving))).toList();
    }

    @GET
    @Path("/{name}")
    public Entry one(@PathParam("name") String name) {
        if (models.servingName() == null) throw Problems.notReady();
        RunningModel m = models.get(name).orElseThrow(() -> new NotFoundException(Problems.of(models.unknown(name))));
        return new Entry(m.info(), m.name().equals(models.servingName()));
    }

    /** Adds a model that learns from the next example on: {"name": "tanh-wide", "activation": "tanh", "hidden": [512]}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(byte[] body) throws Exception {
        return AdminResource.refusedAsProblem(() -> {
            ModelInfo info = admin.add(body);
            return new Entry(info, info.model().equals(models.servingName()));
        }, 201);
    }

    @DELETE
    @Path("/{name}")
    public Response remove(@PathParam("name") String name) throws Exception {
        return AdminResource.refusedAsProblem(() -> {
            admin.remove(name);
            return null;
        }, 204);
    }

    /** The PATCH of /api/model/hyperparameters, for one model of several. */
    @PATCH
    @Path("/{name}/hyperparameters")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response patch(@PathParam("name") String name, byte[] body) throws Exception {
        return AdminResource.refusedAsProblem(() -> admin.patch(name, body), 200);
    }
}
