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
import io.mlpstream.learn.ModelExport;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Kernels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The admin operations: checkpoint download and upload, hyper-parameters at run time, models added and
 * removed. All run on the trainer's thread. {@code model} names one model; null means the serving one.
 */
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
    Models models;

    @Inject
    TrainerThreads threads;

    @Inject
    MlpConfig config;

    /** The model as a checkpoint (the format of the model-checkpoints topic). */
    public byte[] download(String model) throws Exception {
        return threads.callAdmin(() -> find(model).trainer().whole(CheckpointCodec::encode));
    }

    /** The model as an ONNX graph or safetensors weights ({@link ModelExport}), as it is between two steps. */
    public byte[] export(String model, String format) throws Exception {
        if (!ModelExport.ONNX.equals(format) && !ModelExport.SAFETENSORS.equals(format)) {
            throw new Refused(400, "Unknown format", "format must be onnx or safetensors, got " + format);
        }
        return threads.callAdmin(() -> {
            RunningModel m = find(model);
            return m.trainer().whole(c -> ModelExport.export(format, m.name(), c));
        });
    }

    /** Loads an uploaded checkpoint's weights, optimizer state and step; returns the step. */
    public long upload(String model, byte[] body) throws Exception {
        trainerOnly();
        Checkpoint checkpoint;
        try {
            checkpoint = CheckpointCodec.decode(body, Kernels.best()).checkpoint();
        } catch (CheckpointCodec.CheckpointException e) {
            throw new Refused(400, "Invalid snapshot", e.getMessage());
        }
        onTrainer(model, "Architecture mismatch", t -> t.load(checkpoint));
        LOG.infof("Loaded an uploaded snapshot at step %d", checkpoint.step());
        return checkpoint.step();
    }

    /** Reads a PATCH body strictly (unknown fields, strings for numbers, 2.5 for a count are refused) and applies it. */
    public HyperparameterPatch patch(String model, byte[] body) throws Exception {
        trainerOnly();
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
        onTrainer(model, "Invalid hyper-parameters", patch::applyTo);
        LOG.infof("Hyper-parameters changed at run time: %s", patch);
        return patch;
    }

    /**
     * POST /api/models: a JSON object with "name" and any of the keys of {@code mlp.models.<name>.*}
     * ({@link ModelSpec#KEYS}), read as strictly as the PATCH. The model learns from the next example on.
     */
    public ModelInfo add(byte[] body) throws Exception {
        trainerOnly();
        ModelSpec spec;
        try {
            spec = NewModelRequest.read(STRICT.readTree(body), ModelSpecs.base(config));
        } catch (JacksonException e) {
            throw new Refused(400, "Invalid model", "the body is not JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "Invalid model", e.getMessage());
        }
        ModelSpec checked = spec;
        return threads.callAdmin(() -> models.add(checked).info());
    }

    /** DELETE /api/models/{name}: the model, its snapshot and its meters go; another serves if it served. */
    public void remove(String model) throws Exception {
        trainerOnly();
        threads.callAdmin(() -> {
            models.remove(model);
            return null;
        });
    }

    /** A predictor replica follows what the trainer publishes: a change made here would be overwritten, or fence the trainer. */
    private void trainerOnly() throws Refused {
        if (config.role() == Role.PREDICT) {
            throw new Refused(409, "Predictor replica", "this instance serves the models the trainer publishes (mlp.role=predict): "
                    + "change them on the trainer");
        }
        if (config.training().dataParallel()) {
            throw new Refused(409, "Data-parallel mode", "mlp.training.mode=data-parallel: the shards of every instance learn one "
                    + "model together, and this change is not defined for them yet; change every instance's configuration instead");
        }
    }

    private RunningModel find(String model) throws Refused {
        if (model == null || model.isBlank()) {
            RunningModel serving = models.serving();
            if (serving == null) throw new Refused(503, "Not ready", "the model is not loaded yet");
            return serving;
        }
        return models.get(model).orElseThrow(() -> models.unknown(model));
    }

    /** Runs work on the trainer's thread; an IllegalArgumentException it throws is refused with this title. */
    private void onTrainer(String model, String title, Consumer<OnlineTrainer> work) throws Exception {
        String error = threads.callAdmin(() -> {
            try {
                work.accept(find(model).trainer());
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        if (error != null) throw new Refused(400, title, error);
    }
}
