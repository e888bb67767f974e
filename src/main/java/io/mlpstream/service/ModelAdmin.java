package io.mlpstream.service;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.mlpstream.events.Json;
import io.mlpstream.learn.Checkpoint;
import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Kernels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** The admin operations: checkpoint download and upload, hyper-parameters at run time. All run on the trainer's thread. */
@ApplicationScoped
public class ModelAdmin {
    private static final Logger LOG = Logger.getLogger(ModelAdmin.class);
    /** The contracts' JSON, and no string is read as a number: "0.01" is not a learning rate. */
    private static final ObjectMapper STRICT = Json.mapper().copy();

    private static final List<String> PATCH_FIELDS = Arrays.stream(HyperparameterPatch.class.getRecordComponents())
            .map(RecordComponent::getName).toList();

    static {
        for (LogicalType type : new LogicalType[] {LogicalType.Float, LogicalType.Integer}) {
            STRICT.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
    }

    @Inject
    RunningModel running;

    /** The running model as a checkpoint (the format of the model-checkpoints topic). */
    public byte[] download() throws Exception {
        return running.callAdmin(t -> CheckpointCodec.encode(t.checkpoint()));
    }

    /** Loads an uploaded checkpoint's weights, optimizer state and step; returns the step. */
    public long upload(byte[] body) throws Exception {
        Checkpoint checkpoint;
        try {
            checkpoint = CheckpointCodec.decode(body, Kernels.best()).checkpoint();
        } catch (CheckpointCodec.CheckpointException e) {
            throw new Refused(400, "Invalid snapshot", e.getMessage());
        }
        onTrainer("Architecture mismatch", t -> t.load(checkpoint));
        LOG.infof("Loaded an uploaded snapshot at step %d", checkpoint.step());
        return checkpoint.step();
    }

    /** Reads a PATCH body strictly (unknown fields, strings for numbers, 2.5 for a count are refused) and applies it. */
    public HyperparameterPatch patch(byte[] body) throws Exception {
        HyperparameterPatch patch;
        try {
            JsonNode tree = STRICT.readTree(body);
            if (tree == null || !tree.isObject() || tree.isEmpty()) {
                throw new Refused(400, "Nothing to change", "send a JSON object with any of " + PATCH_FIELDS);
            }
            for (String name : (Iterable<String>) tree::fieldNames) {
                if (!PATCH_FIELDS.contains(name)) throw new Refused(400, "Unknown hyper-parameter", name + " (known: " + PATCH_FIELDS + ")");
            }
            patch = STRICT.treeToValue(tree, HyperparameterPatch.class);
        } catch (JacksonException e) {
            String detail = e.getCause() instanceof IllegalArgumentException invalid ? invalid.getMessage() : e.getOriginalMessage();
            throw new Refused(400, "Invalid hyper-parameters", detail);
        }
        onTrainer("Invalid hyper-parameters", patch::applyTo);
        LOG.infof("Hyper-parameters changed at run time: %s", patch);
        return patch;
    }

    /** Runs work on the trainer's thread; an IllegalArgumentException it throws is refused with this title. */
    private void onTrainer(String title, Consumer<OnlineTrainer> work) throws Exception {
        String error = running.callAdmin(t -> {
            try {
                work.accept(t);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        if (error != null) throw new Refused(400, title, error);
    }
}
