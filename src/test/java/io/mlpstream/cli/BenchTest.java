package io.mlpstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory benchmark's output contract, on a small slice of the bundled sample. */
class BenchTest {

    static List<JsonNode> run(String... args) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Bench.run(args));
        } finally {
            System.setOut(out);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    @Test
    void withNoOptionsTheBenchmarkRunsTheServicesDefaults() {
        Options none = new Options(new String[0], Bench.HELP);
        assertEquals(ModelConfig.DEFAULT, Bench.modelConfig(none));
        assertEquals(OptimizerConfig.DEFAULT, Bench.optimizerConfig(none));
        Options some = new Options(new String[] {"--optimizer", "momentum", "--lr", "0.05", "--dropout", "0.2"}, Bench.HELP);
        assertEquals(OptimizerConfig.momentum(0.05f, 0.9f), Bench.optimizerConfig(some));
        assertEquals(ModelConfig.DEFAULT.withDropout(0.2f), Bench.modelConfig(some));
    }

    @Test
    void predictingEveryEpochKeepsTheFirstPassAsThePrequentialAccuracy() throws Exception {
        List<JsonNode> lines = run("--limit", "320", "--epochs", "3", "--warmup-steps", "0", "--predict-every-epoch");
        assertEquals(4, lines.size());
        JsonNode first = lines.get(0), summary = lines.get(3);
        assertTrue(summary.get("predictEveryEpoch").asBoolean());
        assertEquals(960, summary.get("examples").asInt());
        // later passes have seen the data and score higher; the summary must not mix them in
        assertEquals(first.get("prequentialAccuracy").asDouble(), summary.get("prequentialAccuracy").asDouble(), 1e-9);
        assertTrue(summary.get("examplesPerSecond").asDouble() > 0);
        assertTrue(summary.get("cpuMicrosPerExample").asDouble() > 0, "the training thread's CPU per example");
        // the core whose kernels OpenBLAS picked, as the library itself names it (e.g. Haswell, Cooperlake)
        String core = summary.get("blasCore").asText();
        boolean openBlas = summary.get("kernels").asText().startsWith("OpenBLAS");
        assertTrue(openBlas ? core.matches("[A-Za-z0-9]+") && !core.equals("java") : core.equals("java"), core);
        assertEquals(System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"), summary.get("openblasCoretype").asText());
    }

    @Test
    void byDefaultOnlyTheFirstEpochPredicts() throws Exception {
        List<JsonNode> lines = run("--limit", "320", "--epochs", "2", "--warmup-steps", "0");
        assertFalse(lines.get(2).get("predictEveryEpoch").asBoolean());
        assertTrue(lines.get(0).has("prequentialAccuracy"));
        assertFalse(lines.get(1).has("prequentialAccuracy"));
    }
}
