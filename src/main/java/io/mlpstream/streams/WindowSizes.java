package io.mlpstream.streams;

import java.time.Duration;

/** Window sizes written the way people write them: 10s, 1m, 1h (ISO-8601 such as PT1M is read too). */
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

    /** Parses "10s", "1m", "2h", "500ms" or ISO-8601; throws IllegalArgumentException with the reason. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.startsWith("p")) return Duration.parse(t.toUpperCase());
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 10s, 1m, 1h)");
        }
    }
}
