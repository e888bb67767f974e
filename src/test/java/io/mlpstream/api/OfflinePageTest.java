package io.mlpstream.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The live page works offline, behind a firewall, with no CDN: no file of it loads anything from another origin (an
 * import, a script, a stylesheet, a font, an image or a fetch by absolute URL).
 */
class OfflinePageTest {
    private static final Path PAGE = Path.of("src", "main", "resources", "META-INF", "resources");
    private static final Pattern ELSEWHERE = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}[/\"' )]");

    @Test
    void thePageLoadsNothingFromAnotherOrigin() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(PAGE)) {
            files = walk.filter(p -> p.toString().matches(".*\\.(html|js|css)$")).toList();
        }
        assertTrue(files.size() >= 4, "the page's files: " + files);
        for (Path f : files) {
            List<String> found = ELSEWHERE.matcher(Files.readString(f)).results().map(m -> m.group()).toList();
            assertEquals(List.of(), found, f + " refers to another origin");
        }
    }
}
