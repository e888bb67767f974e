package io.mlpstream.nn.export;

import io.mlpstream.nn.Dropout;
import io.mlpstream.nn.LeakyReLU;
import io.mlpstream.nn.Linear;
import io.mlpstream.nn.LogSoftmax;
import io.mlpstream.nn.Module;
import io.mlpstream.nn.ReLU;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Sigmoid;
import io.mlpstream.nn.Tanh;
import io.mlpstream.nn.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * A {@link Sequential} as an ONNX model, as torch.onnx.export writes one: Linear is Gemm (transB = 1, the weight
 * stored (out, in) as PyTorch's), the activations are ONNX's Relu, LeakyRelu, Sigmoid and Tanh, Dropout is left
 * out (inference), and LogSoftmax is LogSoftmax over the classes. One input, {@code input} [N, inputSize] of
 * floats (pixels / 255, as the service scales them); one output, {@code log_probs} [N, classes]. Opset 17.
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    /** ONNX IR version 8 goes with opset 17 (ONNX 1.12 onwards). */
    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1;
    private static final int ATTRIBUTE_FLOAT = 1, ATTRIBUTE_INT = 2;

    private OnnxExport() {
    }

    /** The ONNX file's bytes; {@code metadata} becomes the model's metadata_props (name, step, architecture). */
    public static byte[] export(Sequential network, String graphName, Map<String, String> metadata) {
        Protobuf graph = new Protobuf().string(2, graphName);
        String x = "input";
        int inputSize = -1, outputs = -1, dense = 0;
        for (Module m : network.modules()) {
            if (m instanceof Linear linear) {
                dense++;
                if (inputSize < 0) inputSize = linear.inFeatures();
                outputs = linear.outFeatures();
                String w = "dense" + dense + ".weight", b = "dense" + dense + ".bias", y = "dense" + dense;
                graph.message(5, tensor(w, linear.weight.value, new long[] {linear.outFeatures(), linear.inFeatures()}));
                graph.message(5, tensor(b, linear.bias.value, new long[] {linear.outFeatures()}));
                graph.message(1, node("Gemm", y, new String[] {x, w, b}).message(5, intAttribute("transB", 1)));
                x = y;
            } else if (m instanceof Dropout) {
                continue; // the identity at inference
            } else {
                String y = x + "_" + m.getClass().getSimpleName().toLowerCase();
                if (m instanceof LogSoftmax) y = "log_probs";
                graph.message(1, operator(m, x, y));
                x = y;
            }
        }
        if (!x.equals("log_probs")) throw new IllegalArgumentException("the network must end with LogSoftmax: " + network);
        graph.message(11, valueInfo("input", inputSize)).message(12, valueInfo("log_probs", outputs));
        Protobuf model = new Protobuf().varint(1, IR_VERSION).string(2, "mlp-stream").string(3, "1")
                .message(8, new Protobuf().string(1, "").varint(2, OPSET)).message(7, graph);
        metadata.forEach((k, v) -> model.message(14, new Protobuf().string(1, k).string(2, v)));
        return model.toByteArray();
    }

    private static Protobuf operator(Module m, String x, String y) {
        if (m instanceof ReLU) return node("Relu", y, x);
        if (m instanceof LeakyReLU l) return node("LeakyRelu", y, x).message(5, floatAttribute("alpha", l.negativeSlope));
        if (m instanceof Sigmoid) return node("Sigmoid", y, x);
        if (m instanceof Tanh) return node("Tanh", y, x);
        if (m instanceof LogSoftmax) return node("LogSoftmax", y, x).message(5, intAttribute("axis", 1));
        throw new IllegalArgumentException("no ONNX operator for " + m);
    }

    private static Protobuf node(String op, String output, String... inputs) {
        Protobuf node = new Protobuf();
        for (String in : inputs) node.string(1, in);
        return node.string(2, output).string(3, output).string(4, op);
    }

    private static Protobuf intAttribute(String name, long value) {
        return new Protobuf().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    private static Protobuf floatAttribute(String name, float value) {
        return new Protobuf().string(1, name).float32(2, value).varint(20, ATTRIBUTE_FLOAT);
    }

    /** A TensorProto of floats, little-endian raw data. */
    private static Protobuf tensor(String name, Tensor t, long[] dims) {
        Protobuf p = new Protobuf();
        for (long d : dims) p.varint(1, d);
        return p.varint(2, FLOAT).string(8, name).bytes(9, littleEndian(t.data(), t.size()));
    }

    static byte[] littleEndian(float[] values, int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(values[i]);
        return b.array();
    }

    /** A float tensor [N, width] with a symbolic batch dimension. */
    private static Protobuf valueInfo(String name, int width) {
        Protobuf shape = new Protobuf().message(1, new Protobuf().string(2, "N")).message(1, new Protobuf().varint(1, width));
        Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }
}
