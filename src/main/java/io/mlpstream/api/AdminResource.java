package io.mlpstream.api;

import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.learn.TrainerThread;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Model;
import io.mlpstream.nn.OptimizerConfig;
import io.mlpstream.nn.Snapshot;
import io.mlpstream.nn.SnapshotCodec;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;

/** Admin operations (credentials checked by {@link AdminAuthFilter} before the body is read). */
@Path("/api/model")
public class AdminResource {
    private static final Logger LOG = Logger.getLogger(AdminResource.class);

    @Inject
    TrainerThread trainerThread;

    /** The running model as a binary snapshot (the format of the model-checkpoints topic). */
    @GET
    @Path("/snapshot")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response download() throws Exception {
        byte[] bytes = trainerThread.call(t -> {
            Model m = t.model();
            OptimizerConfig opt = m.optimizer() == null ? OptimizerConfig.sgd(1f) : m.optimizer().config();
            return SnapshotCodec.encode(new Snapshot(m, opt, t.examplesTrained(), t.examplesPredicted(),
                    t.accuracy().seen(), t.accuracy().correct(), Map.of()));
        });
        return Response.ok(bytes).header("Content-Disposition", "attachment; filename=\"model.snapshot\"").build();
    }

    /** Loads a snapshot into the running model; a corrupt one or one of another architecture is refused, untouched. */
    @PUT
    @Path("/snapshot")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(byte[] body) throws Exception {
        Snapshot snapshot;
        try {
            snapshot = SnapshotCodec.decode(body, Kernels.best());
        } catch (SnapshotCodec.SnapshotException e) {
            return Problems.of(400, "Invalid snapshot", e.getMessage());
        }
        String error = trainerThread.call(t -> {
            try {
                t.load(snapshot.model());
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        if (error != null) return Problems.of(400, "Architecture mismatch", error);
        LOG.infof("Loaded an uploaded snapshot at step %d", snapshot.model().step());
        return Response.ok(Map.of("loaded", true, "step", snapshot.model().step())).build();
    }

    /** Changes hyper-parameters from the next step on: learningRate, momentum, weightDecay, dropout, batchSize. */
    @PATCH
    @Path("/hyperparameters")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response patch(Map<String, Object> changes) throws Exception {
        if (changes == null || changes.isEmpty()) return Problems.of(400, "Nothing to change", "send a JSON object");
        for (String k : changes.keySet()) {
            if (!java.util.Set.of("learningRate", "momentum", "weightDecay", "dropout", "batchSize").contains(k)) {
                return Problems.of(400, "Unknown hyper-parameter", k);
            }
        }
        String error = trainerThread.call(t -> {
            try {
                apply(t, changes);
                return null;
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        });
        if (error != null) return Problems.of(400, "Invalid hyper-parameters", error);
        LOG.infof("Hyper-parameters changed at run time: %s", changes);
        return Response.ok(changes).build();
    }

    private static void apply(OnlineTrainer t, Map<String, Object> c) {
        OptimizerConfig opt = t.model().optimizer() == null ? null : t.model().optimizer().config();
        if (opt != null) {
            if (c.containsKey("learningRate")) opt = opt.withLr(number(c, "learningRate"));
            if (c.containsKey("momentum")) opt = opt.withMomentum(number(c, "momentum"));
            if (c.containsKey("weightDecay")) opt = opt.withWeightDecay(number(c, "weightDecay"));
        } else if (c.containsKey("learningRate")) {
            opt = OptimizerConfig.sgd(number(c, "learningRate"));
        }
        Float dropout = c.containsKey("dropout") ? number(c, "dropout") : null;
        var trainer = c.containsKey("batchSize") ? t.config().withBatchSize((int) number(c, "batchSize")) : null;
        if (c.containsKey("batchSize") && number(c, "batchSize") != Math.rint(number(c, "batchSize"))) {
            throw new IllegalArgumentException("batchSize must be an integer");
        }
        if (dropout != null && !(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1)");
        t.reconfigure(trainer, opt, dropout);
    }

    private static float number(Map<String, Object> c, String key) {
        if (!(c.get(key) instanceof Number n)) throw new IllegalArgumentException(key + " must be a number");
        return n.floatValue();
    }
}
