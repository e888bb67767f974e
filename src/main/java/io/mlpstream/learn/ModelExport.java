package io.mlpstream.learn;

import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.export.OnnxExport;
import io.mlpstream.nn.export.SafetensorsExport;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A model, as a checkpoint holds it, written for other runtimes: ONNX for ONNX Runtime, safetensors for PyTorch. */
public final class ModelExport {
    public static final String ONNX = "onnx", SAFETENSORS = "safetensors";

    private ModelExport() {
    }

    /** The bytes of the model in {@code format} ({@link #ONNX} or {@link #SAFETENSORS}). */
    public static byte[] export(String format, String name, Checkpoint c) {
        Map<String, String> metadata = metadata(name, c);
        return switch (format.toLowerCase(Locale.ROOT)) {
            case ONNX -> OnnxExport.export(c.learner().network(), name, metadata);
            case SAFETENSORS -> SafetensorsExport.export(c.learner().network(), metadata);
            default -> throw new IllegalArgumentException("format must be onnx or safetensors, got " + format);
        };
    }

    /** What a user of the file needs to know: which model, how far it trained, its layers, and its input's scale. */
    static Map<String, String> metadata(String name, Checkpoint c) {
        ModelConfig config = c.learner().config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("step", String.valueOf(c.step()));
        m.put("examplesTrained", String.valueOf(c.examplesTrained()));
        m.put("architecture", c.learner().network().toString());
        m.put("type", config.type().name().toLowerCase(Locale.ROOT));
        m.put("hidden", config.hidden().toString());
        m.put("activation", config.activation().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("input", "[N, " + config.inputSize() + "] float32: pixels / 255, row-major, 0 = background");
        m.put("output", "[N, " + config.classes() + "] log-probabilities (LogSoftmax over the classes)");
        m.put("opset", String.valueOf(OnnxExport.OPSET));
        return m;
    }
}
