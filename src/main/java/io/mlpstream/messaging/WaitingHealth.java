package io.mlpstream.messaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * The health endpoints while the service waits for Kafka credentials that work ({@link KafkaAccess}), before its own
 * HTTP server starts: live (the process is fine, a restart would not help) and not ready, as SmallRye Health would
 * answer. Closed before the service's server takes the port.
 */
final class WaitingHealth {
    private static final Logger LOG = Logger.getLogger(WaitingHealth.class);
    private final HttpServer server;

    private WaitingHealth(HttpServer server) {
        this.server = server;
    }

    /** On the service's HTTP port; null when it cannot be taken (probes then find nothing, as before). */
    static WaitingHealth start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/q/health/live", x -> answer(x, 200, "UP", "the process waits for Kafka credentials that work"));
            server.createContext("/q/health", x -> answer(x, 503, "DOWN", "Kafka refused the credentials (SASL authentication failed)"));
            server.start();
            return new WaitingHealth(server);
        } catch (IOException e) {
            LOG.debugf("no health endpoints while waiting: %s", e.getMessage());
            return null;
        }
    }

    private static void answer(HttpExchange x, int status, String state, String why) throws IOException {
        byte[] body = ("{\"status\": \"" + state + "\", \"checks\": [{\"name\": \"kafka-authentication\", \"status\": \"" + state
                + "\", \"data\": {\"reason\": \"" + why + "\"}}]}").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    void stop() {
        server.stop(0);
    }
}
