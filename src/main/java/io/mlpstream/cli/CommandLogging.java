package io.mlpstream.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The log levels of a command that runs without the service (bench, bench-kafka, bench-stats, kafka, produce, tail,
 * export), as application.properties sets them for the service. Quarkus' log manager lets every level through until
 * the service configures it, which such a command never does: Kafka's broker, clients and Kafka Streams then format
 * a trace message per record and request (a third of the statistics' thread in bench-stats, in a flight recording).
 * The loggers are kept in a field, since a logger's level lives only as long as the logger.
 */
final class CommandLogging {
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private CommandLogging() {
    }

    static synchronized void configure() {
        if (!CONFIGURED.isEmpty()) return;
        level("", Level.INFO);
        level("kafka", Level.WARNING);
        level("org.apache.kafka", Level.WARNING);
        level("state.change.logger", Level.WARNING);
    }

    private static void level(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        CONFIGURED.add(logger);
    }
}
