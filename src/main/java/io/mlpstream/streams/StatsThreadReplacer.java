package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A statistics thread that dies (under exactly_once_v2, a broker outage longer than the producer's
 * timeouts aborts its transaction) is replaced, not left dead: its tasks restart from their changelogs,
 * and the statistics come back by themselves when the broker does; an error that keeps coming back stops
 * them instead. Quarkus installs this bean on the KafkaStreams instance before starting it.
 */
@ApplicationScoped
public class StatsThreadReplacer implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StatsThreadReplacer.class);

    /** More failures than this within {@link #WINDOW_MILLIS}: the error recurs, and the statistics stop (readiness DOWN). */
    static final int MAX_REPLACEMENTS = 5;
    static final long WINDOW_MILLIS = 10 * 60_000;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = System.currentTimeMillis();
        while (!recent.isEmpty() && now - recent.peekFirst() > WINDOW_MILLIS) recent.pollFirst();
        if (recent.size() >= MAX_REPLACEMENTS) {
            LOG.errorf("A statistics thread failed %d times in %d min (%s): stopping the statistics",
                    recent.size() + 1, WINDOW_MILLIS / 60_000, exception.toString());
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        recent.addLast(now);
        LOG.warnf("A statistics thread failed (%s): replacing it; its tasks are restored from their changelogs",
                exception.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
