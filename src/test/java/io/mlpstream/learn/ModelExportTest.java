package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.data.IdxReader;
import io.mlpstream.events.Json;
import io.mlpstream.nn.Activation;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Linear;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Module;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported model, run elsewhere: ONNX Runtime loads the ONNX file (its load is the checker: a malformed graph
 * is refused) and gives the service's probabilities within 1e-5 on 1,000 bundled digits, for every activation and
 * for the perceptron; the safetensors file's header and tensors read back equal the state dict.
 */
class ModelExportTest {
    private static final int DIGITS = 1000;

    enum Kind { RELU, LEAKY_RELU, TANH, SIGMOID, PERCEPTRON }

    private static OnlineTrainer trained(Kind kind) throws Exception {
        ModelConfig config = kind == Kind.PERCEPTRON ? ModelConfig.DEFAULT.withType(ModelType.PERCEPTRON)
                : ModelConfig.DEFAULT.withHidden(List.of(64, 32)).withActivation(Activation.valueOf(kind.name()));
        OnlineTrainer trainer = new OnlineTrainer(Learner.create(config, OptimizerConfig.adam(1e-3f), Kernels.best()),
                new TrainerConfig(16, Duration.ofSeconds(1), 1000));
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
        Examples chunk = new Examples(512, 784);
        for (int i = 2000; i < 4000; i++) chunk.add(images.pixels(), i * 784, labels[i] & 0xFF); // trained, not at init
        trainer.process(chunk, new TrainingListener() {
            public void onPrediction(int index, int predicted, float[] logProbs, float loss, long modelStep) {
            }

            public void onStep(StepStats stats, OnlineTrainer t) {
            }
        });
        return trainer;
    }

    private static Tensor digits() throws Exception {
        IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
        Examples chunk = new Examples(DIGITS, 784);
        for (int i = 0; i < DIGITS; i++) chunk.add(images.pixels(), i * 784, Examples.UNLABELED);
        Tensor x = new Tensor(DIGITS, 784);
        chunk.copyRows(0, DIGITS, x);
        return x;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onnxRuntimeGivesTheServicesProbabilities(Kind kind) throws Exception {
        OnlineTrainer trainer = trained(kind);
        byte[] onnx = ModelExport.export(ModelExport.ONNX, "m-" + kind.name().toLowerCase(), trainer.checkpoint());
        Tensor x = digits();
        Tensor expected = trainer.predict(x).logProbs(); // what /api/predict answers, as log-probabilities
        float[][] input = new float[DIGITS][784];
        for (int r = 0; r < DIGITS; r++) for (int c = 0; c < 784; c++) input[r][c] = x.get(r, c);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, input);
             OrtSession.Result result = session.run(Map.of("input", tensor))) {
            float[][] logProbs = (float[][]) result.get(0).getValue();
            double worst = 0;
            for (int r = 0; r < DIGITS; r++) {
                for (int c = 0; c < 10; c++) {
                    worst = Math.max(worst, Math.abs(Math.exp(logProbs[r][c]) - Math.exp(expected.get(r, c))));
                }
            }
            System.out.printf("%s: largest difference of a probability, ONNX Runtime against the service: %.2e%n", kind, worst);
            assertTrue(worst <= 1e-5, kind + ": " + worst);
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals("m-" + kind.name().toLowerCase(), meta.get("model"));
            assertEquals(String.valueOf(trainer.step()), meta.get("step"));
            assertTrue(meta.get("architecture").contains("Linear"), meta.get("architecture"));
            assertEquals(List.of("input"), List.copyOf(session.getInputNames()));
            assertEquals(List.of("log_probs"), List.copyOf(session.getOutputNames()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RELU", "PERCEPTRON"})
    void safetensorsHoldTheStateDictAsPyTorchNamesIt(String name) throws Exception {
        OnlineTrainer trainer = trained(Kind.valueOf(name));
        byte[] file = ModelExport.export(ModelExport.SAFETENSORS, "m", trainer.checkpoint());
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) b.getLong();
        assertEquals(0, (8 + headerLength) % 8, "the data starts 8-byte aligned");
        JsonNode header = Json.mapper().readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        assertEquals("m", header.get("__metadata__").get("model").asText());
        List<Module> modules = trainer.learner().network().modules();
        int tensors = 0;
        for (int i = 0; i < modules.size(); i++) {
            if (!(modules.get(i) instanceof Linear linear)) continue;
            for (String kind : List.of("weight", "bias")) {
                JsonNode t = header.get(i + "." + kind);
                Tensor expected = kind.equals("weight") ? linear.weight.value : linear.bias.value;
                assertEquals("F32", t.get("dtype").asText());
                List<Integer> shape = kind.equals("weight") ? List.of(linear.outFeatures(), linear.inFeatures()) : List.of(linear.outFeatures());
                assertEquals(shape.toString().replace(" ", ""), t.get("shape").toString());
                int start = t.get("data_offsets").get(0).asInt(), end = t.get("data_offsets").get(1).asInt();
                float[] values = new float[(end - start) / 4];
                ByteBuffer.wrap(file, 8 + headerLength + start, end - start).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                assertArrayEquals(java.util.Arrays.copyOf(expected.data(), expected.size()), values, kind + " of layer " + i);
                tensors++;
            }
        }
        assertEquals(header.size() - 1, tensors, "every tensor of the header is a parameter");
    }
}
