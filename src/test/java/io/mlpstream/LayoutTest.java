package io.mlpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table of DESIGN.md, enforced by a plain scan of the sources: what each package may
 * use, of this project and of the frameworks. A reference counts whether it is an import or a fully
 * qualified name in the code; comments do not count.
 */
class LayoutTest {
    private static final Path MAIN = Path.of("src/main/java/io/mlpstream");
    private static final Pattern PROJECT = Pattern.compile("io\\.mlpstream\\.([a-z]+(?:\\.optim)?)\\b");
    private static final List<String> FRAMEWORKS = List.of("jakarta.", "io.quarkus.", "io.smallrye.", "org.apache.kafka.",
            "io.micrometer.", "org.eclipse.microprofile.", "org.jboss.", "io.vertx.", "com.fasterxml.");

    @Test
    void nnUsesNothingOfTheProjectButNnAndNoFramework() {
        assertUses("nn", Set.of("nn"));
        assertNoFramework("nn");
    }

    @Test
    void optimUsesOnlyNn() {
        assertUses("nn/optim", Set.of("nn", "nn.optim"));
        assertNoFramework("nn/optim");
    }

    @Test
    void learnUsesOnlyNnAndNoFrameworkOrAdapter() {
        assertUses("learn", Set.of("learn", "nn", "nn.optim"));
        assertNoFramework("learn");
    }

    @Test
    void theLeavesStayLeaves() {
        assertUses("data", Set.of("data"));
        assertNoFramework("data");
        assertUses("events", Set.of("events"));
        assertUses("streams", Set.of("streams", "events"));
    }

    @Test
    void theServiceNeverUsesItsAdapters() {
        assertUses("service", Set.of("service", "learn", "nn", "nn.optim", "events", "data"));
        assertUses("metrics", Set.of("metrics", "service", "learn"));
        assertUses("messaging", Set.of("messaging", "pipeline", "service", "learn", "nn", "nn.optim", "events", "data", "metrics"));
        assertUses("api", Set.of("api", "service", "events", "streams"));
    }

    /**
     * The stream loop is plain Java, testable without a broker: of the frameworks it names only Kafka's
     * TopicPartition (a value) and a logger; no CDI, no Quarkus, no SmallRye, no Kafka client.
     */
    @Test
    void thePipelineIsPlainJava() {
        assertUses("pipeline", Set.of("pipeline", "service", "learn", "nn", "events", "metrics"));
        List<String> wrong = new ArrayList<>();
        for (Path file : sources("pipeline")) {
            for (String line : code(file)) {
                String t = line.trim();
                if (t.equals("import org.apache.kafka.common.TopicPartition;") || t.equals("import org.jboss.logging.Logger;")) continue;
                if (FRAMEWORKS.stream().anyMatch(line::contains) || t.startsWith("@Inject")) wrong.add(MAIN.relativize(file) + ": " + t);
            }
        }
        assertTrue(wrong.isEmpty(), "the pipeline must not touch a framework, but:\n" + String.join("\n", wrong));
    }

    @Test
    void nothingButTheLauncherUsesTheLauncherOrTheHttpApi() throws IOException {
        for (String pkg : List.of("nn", "nn/optim", "learn", "data", "events", "service", "pipeline", "messaging", "streams", "metrics", "broker")) {
            assertUsesNone(pkg, Set.of("cli", "api"));
        }
        // the launcher starts the service and reports on it (the demo), but never reaches into its adapters; only
        // bench-stats runs the statistics' topology in this JVM (as bench runs nn and learn), to measure it alone
        List<String> wrong = references("cli", Set.of("messaging", "pipeline", "api", "metrics", "streams")::contains);
        wrong.removeIf(line -> line.startsWith("cli/StatsBench.java: import io.mlpstream.streams."));
        assertTrue(wrong.isEmpty(), "cli must not use the service's adapters, but:\n" + String.join("\n", wrong));
    }

    @Test
    void brokerHoldsTheEmbeddedBrokerAndNothingElse() throws IOException {
        try (Stream<Path> files = Files.list(MAIN.resolve("broker"))) {
            // the broker, its logging, and what makes it listen as a managed cluster (TLS material, its SCRAM user)
            assertEquals(Set.of("BrokerLogging.java", "BrokerSecurity.java", "EmbeddedKafka.java", "ScramUser.java", "package-info.java"),
                    files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll));
        }
        assertUses("broker", Set.of("broker"));
    }

    @Test
    void everyPackageSaysWhatItHolds() throws IOException {
        try (Stream<Path> dirs = Files.walk(MAIN)) {
            for (Path dir : dirs.filter(Files::isDirectory).filter(d -> !d.equals(MAIN)).toList()) {
                assertTrue(Files.exists(dir.resolve("package-info.java")), dir + " has no package-info.java");
            }
        }
    }

    /**
     * Files stay small: over 250 lines a file says why in its first 15 ("Long because:"), so that the rule of the last
     * redesign cannot grow back silently (review finding 17).
     */
    @Test
    void aFileOver250LinesSaysWhy() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path file : allSources()) {
            List<String> lines = Files.readAllLines(file);
            boolean says = lines.stream().limit(15).anyMatch(l -> l.contains("Long because:"));
            if (lines.size() > 250 && !says) wrong.add(MAIN.relativize(file) + ": " + lines.size() + " lines");
        }
        assertTrue(wrong.isEmpty(), "over 250 lines without a \"Long because:\" comment in the first 15:\n" + String.join("\n", wrong));
    }

    /** Types are imported, not named inline by their package (a name in a comment or a string does not count). */
    @Test
    void noInlineQualifiedNames() throws IOException {
        Pattern qualified = Pattern.compile("(?<![\\w.\"])(?:java|javax|jakarta|org|io|com)\\.(?:[a-z][a-z0-9_]*\\.)+[A-Z]");
        List<String> wrong = new ArrayList<>();
        for (Path file : allSources()) {
            for (String line : code(file)) {
                String t = line.trim();
                if (t.startsWith("import ") || t.startsWith("package ")) continue;
                if (qualified.matcher(line.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")).find()) {
                    wrong.add(MAIN.relativize(file) + ": " + t);
                }
            }
        }
        assertTrue(wrong.isEmpty(), "inline qualified names:\n" + String.join("\n", wrong));
    }

    private static List<Path> allSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static void assertUses(String pkg, Set<String> allowed) {
        List<String> wrong = references(pkg, used -> !allowed.contains(used));
        assertTrue(wrong.isEmpty(), pkg + " may use only " + allowed + ", but:\n" + String.join("\n", wrong));
    }

    private static void assertUsesNone(String pkg, Set<String> forbidden) {
        List<String> wrong = references(pkg, forbidden::contains);
        assertTrue(wrong.isEmpty(), pkg + " must not use " + forbidden + ", but:\n" + String.join("\n", wrong));
    }

    /** The lines of the package's code that use a package of this project that {@code wrong} picks out. */
    private static List<String> references(String pkg, Predicate<String> wrong) {
        List<String> found = new ArrayList<>();
        for (Path file : sources(pkg)) {
            for (String line : code(file)) {
                Matcher m = PROJECT.matcher(line);
                while (m.find()) {
                    if (wrong.test(m.group(1))) found.add(MAIN.relativize(file) + ": " + line.trim());
                }
            }
        }
        return found;
    }

    private static void assertNoFramework(String pkg) {
        List<String> wrong = new ArrayList<>();
        for (Path file : sources(pkg)) {
            for (String line : code(file)) {
                if (FRAMEWORKS.stream().anyMatch(line::contains)) wrong.add(MAIN.relativize(file) + ": " + line.trim());
            }
        }
        assertTrue(wrong.isEmpty(), pkg + " must not touch a framework, but:\n" + String.join("\n", wrong));
    }

    /** The .java files directly in the package (a subpackage is a package of its own). */
    private static List<Path> sources(String pkg) {
        try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
            List<Path> out = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertTrue(!out.isEmpty(), "no sources in " + pkg);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of code, without comments (line comments, and block comments as this code base writes them). */
    private static List<String> code(Path file) {
        try {
            List<String> out = new ArrayList<>();
            boolean inComment = false;
            for (String line : Files.readAllLines(file)) {
                String t = line.trim();
                if (inComment) {
                    if (t.contains("*/")) inComment = false;
                    continue;
                }
                if (t.startsWith("/*")) {
                    inComment = !t.contains("*/");
                    continue;
                }
                int slash = line.indexOf("//");
                out.add(slash >= 0 ? line.substring(0, slash) : line);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
