package io.mlpstream.nn.export;

import io.mlpstream.nn.Linear;
import io.mlpstream.nn.Module;
import io.mlpstream.nn.Sequential;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The weights as a safetensors file (huggingface.co/docs/safetensors): an 8-byte little-endian header length, a
 * JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian floats. Tensors are named
 * as PyTorch names the state dict of an {@code nn.Sequential} with the same modules in the same order ("0.weight",
 * "0.bias", "3.weight", ...: Linear, activation, Dropout, ..., Linear, LogSoftmax), with biases of shape [out], so
 * that {@code model.load_state_dict(safetensors.torch.load_file(path))} takes them as they are. {@code metadata}
 * goes to {@code __metadata__} (string to string, as the format requires).
 */
public final class SafetensorsExport {
    private SafetensorsExport() {
    }

    public static byte[] export(Sequential network, Map<String, String> metadata) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{");
        String sep = "";
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            header.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            sep = ",";
        }
        header.append('}');
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<Module> modules = network.modules();
        for (int i = 0; i < modules.size(); i++) {
            if (!(modules.get(i) instanceof Linear linear)) continue;
            int out = linear.outFeatures(), in = linear.inFeatures();
            header.append(',').append(entry(i + ".weight", "[" + out + "," + in + "]", data.size(), 4L * out * in));
            data.writeBytes(OnnxExport.littleEndian(linear.weight.value.data(), out * in));
            header.append(',').append(entry(i + ".bias", "[" + out + "]", data.size(), 4L * out));
            data.writeBytes(OnnxExport.littleEndian(linear.bias.value.data(), out));
        }
        header.append('}');
        byte[] unpadded = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] json = (header + " ".repeat((8 - unpadded.length % 8) % 8)).getBytes(StandardCharsets.UTF_8); // data 8-byte aligned
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json).put(data.toByteArray());
        return file.array();
    }

    private static String entry(String name, String shape, long start, long bytes) {
        return quote(name) + ":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + start + "," + (start + bytes) + "]}";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
