package io.mlpstream.streams;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A statistics thread that dies (under exactly_once_v2, a broker outage longer than the producer's
 * timeouts aborts its transaction) is replaced, not left dead: its tasks restart from their changelogs,
 * and the statistics come back by themselves when the broker does. Quarkus installs this bean on the
 * KafkaStreams instance before starting it.
 */
@ApplicationScoped
public class StatsThreadReplacer implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StatsThreadReplacer.class);

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.warnf("A statistics thread failed (%s): replacing it; its tasks are restored from their changelogs",
                exception.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
