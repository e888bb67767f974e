package io.mlpstream.streams;

import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;

/** Window sizes written the way the configuration writes them: 10s, 1m, 1h. */
public final class WindowSizes {
    private WindowSizes() {
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) return d.toMillis() + "ms";
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    /** Parses a size as the configuration does ("10s", "1m", "PT1M"; a bare number is seconds). */
    public static Duration parse(String text) {
        try {
            return DurationConverter.parseDuration(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 10s, 1m, 1h)");
        }
    }
}
