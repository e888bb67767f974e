package io.mlpstream.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Wrong admin credentials, counted per client in fixed one-minute windows: past {@link #LIMIT} in a window the client
 * is refused (429) until the window ends, so that a password cannot be guessed at the speed of HTTP. Absent credentials
 * are not counted: they are not a guess.
 */
final class FailedLogins {
    /** Failures a client may make in one window; the next call is refused. */
    static final int LIMIT = 5;
    private static final long WINDOW_MILLIS = 60_000;
    /** Clients remembered at once; past it, windows that ended are dropped (an address flood cannot grow the heap). */
    private static final int MAX_CLIENTS = 10_000;

    private record Window(long start, int failures) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    FailedLogins(LongSupplier clock) {
        this.clock = clock;
    }

    /** Seconds until this client may try again (at least 1), or 0 when it is not blocked. */
    long blockedForSeconds(String client) {
        Window w = windows.get(client);
        long now = clock.getAsLong();
        if (w == null || w.failures() < LIMIT || now - w.start() >= WINDOW_MILLIS) return 0;
        return Math.max(1, (w.start() + WINDOW_MILLIS - now + 999) / 1000);
    }

    void failed(String client) {
        long now = clock.getAsLong();
        if (windows.size() >= MAX_CLIENTS) windows.values().removeIf(w -> now - w.start() >= WINDOW_MILLIS);
        windows.compute(client, (k, w) -> w == null || now - w.start() >= WINDOW_MILLIS
                ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    }
}
