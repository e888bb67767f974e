package io.mlpstream.broker;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded broker's controller says at WARN, on every fresh data directory, that it bootstraps an empty metadata
 * log: what a new single-node cluster does, not a problem, and the first line a newcomer would read as one. Set here,
 * since the broker starts before the service's logging is configured (through java.util.logging, which Quarkus' log
 * manager implements); kept in a field, since a logger's level lives only as long as the logger.
 */
final class BrokerLogging {
    private static final Logger CONTROLLER = Logger.getLogger("org.apache.kafka.controller.QuorumController");

    private BrokerLogging() {
    }

    static void quietFirstStart() {
        CONTROLLER.setLevel(Level.SEVERE);
    }
}
