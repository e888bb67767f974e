package io.mlpstream.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.mlpstream.service.ModelInfo;
import io.mlpstream.service.ServingModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * GET /api/models: every model the service trains, with the fields of /api/model and whether it is the
 * one serving /api/predict and the predictions topic. One model for now; the lab (several) builds on it.
 */
@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    ServingModel model;

    /** A model as /api/model shows it, and whether it serves. */
    public record Entry(@JsonUnwrapped ModelInfo info, boolean serving) {
    }

    @GET
    public List<Entry> models() {
        return List.of(new Entry(model.info().orElseThrow(Problems::notReady), true));
    }

    @GET
    @Path("/{name}")
    public Entry model(@PathParam("name") String name) {
        ModelInfo info = model.info().orElseThrow(Problems::notReady);
        if (!info.model().equals(name)) {
            throw new NotFoundException(Problems.of(404, "Unknown model", "no model named '" + name
                    + "'; this service trains " + List.of(info.model())));
        }
        return new Entry(info, true);
    }
}
