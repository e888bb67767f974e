package io.mlpstream.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * For LiveFeedTest: a small socket send buffer (test.http.send-buffer-bytes), so that a client that never
 * reads fills it within seconds rather than the 2 MB Linux gives a loopback socket. Off unless set.
 */
@Singleton
public class SmallSendBuffer implements HttpServerOptionsCustomizer {
    @ConfigProperty(name = "test.http.send-buffer-bytes", defaultValue = "0")
    int bytes;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        if (bytes > 0) options.setSendBufferSize(bytes);
    }
}
