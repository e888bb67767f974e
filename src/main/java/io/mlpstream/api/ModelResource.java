package io.mlpstream.api;

import io.mlpstream.service.ModelInfo;
import io.mlpstream.service.ServingModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** GET /api/model: what is learning, how far it got, and how well it does. */
@Path("/api/model")
public class ModelResource {

    @Inject
    ServingModel model;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelInfo model() {
        return model.info().orElseThrow(Problems::notReady);
    }
}
