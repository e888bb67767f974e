package io.mlpstream.api;

import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.OptimizerConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** GET /api/model: what is learning, how far it got, and how well it does. */
@Path("/api/model")
public class ModelResource {

    @Inject
    Instance<OnlineTrainer> trainer;

    @Inject
    io.mlpstream.learn.CheckpointStatus checkpoint;

    @ConfigProperty(name = "mlp.model-name", defaultValue = "mnist-mlp")
    String modelName;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response model() {
        OnlineTrainer t = trainer.get();
        if (t == null) return Problems.of(503, "Not ready", "the model is not loaded yet");
        Model m = t.model();
        Map<String, Object> hyper = new LinkedHashMap<>();
        OptimizerConfig opt = m.optimizer() == null ? null : m.optimizer().config();
        hyper.put("optimizer", opt == null ? "perceptron rule" : opt.name());
        if (opt != null) {
            hyper.put("learningRate", opt.lr());
            hyper.put("momentum", opt.momentum());
            hyper.put("nesterov", opt.nesterov());
            hyper.put("weightDecay", opt.weightDecay());
            hyper.put("clipNorm", opt.clipNorm());
        }
        hyper.put("batchSize", t.config().batchSize());
        hyper.put("dropout", m instanceof io.mlpstream.nn.Mlp mlp ? mlp.dropout() : m.config().dropout());
        hyper.put("init", m.config().effectiveInit().name().toLowerCase());
        hyper.put("seed", m.config().seed());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", modelName);
        body.put("architecture", m.config().architecture());
        body.put("hyperparameters", hyper);
        body.put("step", m.step());
        body.put("examplesTrained", t.examplesTrained());
        body.put("examplesPredicted", t.examplesPredicted());
        body.put("prequentialAccuracy", t.accuracy().cumulative());
        body.put("windowAccuracy", t.accuracy().window());
        if (checkpoint.step() < 0) {
            body.put("lastCheckpoint", null);
        } else {
            body.put("lastCheckpoint", Map.of("step", checkpoint.step(),
                    "time", java.time.Instant.ofEpochMilli(checkpoint.epochMillis()).toString()));
        }
        return Response.ok(body).build();
    }
}
