package io.mlpstream.api;

import io.mlpstream.streams.StatsQueries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * /api/stats on any instance: when another instance's Kafka Streams holds the model's statistics (the streams
 * metadata for the key says which), the request is asked of it, as the Kafka Streams interactive-queries examples
 * do, and its answer returned; an instance that does not answer in time is a 503 that names it.
 */
@ApplicationScoped
class StatsForwarding {
    /** Set on a forwarded request: the instance asked answers from its own stores, so that nothing goes round. */
    static final String FORWARDED = "X-Mlp-Stats-Forwarded";

    @Inject
    StatsQueries stats;

    @ConfigProperty(name = "mlp.stats.forward-timeout", defaultValue = "5s")
    Duration timeout;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Empty: answer here. Otherwise the holder's answer, or a 503. Throws NotReady when no instance holds them. */
    Optional<Response> elsewhere(String model, UriInfo uri, HttpHeaders headers) {
        Optional<String> holder = stats.holder(model);
        if (headers.getHeaderString(FORWARDED) != null) {
            // asked by another instance: answer from ours, unless they moved meanwhile (a rebalance): no empty answer
            return holder.map(h -> Problems.of(503, "Statistics moving", "the statistics of " + model + " moved to " + h + "; ask again"));
        }
        if (holder.isEmpty()) return Optional.empty();
        // the model named explicitly: the other instance's default may be another one
        String query = uri.getRequestUri().getRawQuery() == null ? "" : uri.getRequestUri().getRawQuery().replaceAll("(^|&)model=[^&]*", "");
        String target = "http://" + holder.get() + uri.getRequestUri().getRawPath() + "?model=" + java.net.URLEncoder.encode(model, java.nio.charset.StandardCharsets.UTF_8)
                + (query.isEmpty() ? "" : (query.startsWith("&") ? "" : "&") + query);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(target)).timeout(timeout)
                    .header(FORWARDED, "1").GET().build(), HttpResponse.BodyHandlers.ofString());
            return Optional.of(Response.status(r.statusCode()).entity(r.body())
                    .type(r.headers().firstValue("Content-Type").orElse("application/json")).build());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return Optional.of(Problems.of(503, "Statistics unavailable", "the instance holding the statistics of " + model
                    + " (" + holder.get() + ") did not answer within " + timeout.toSeconds() + " s: " + e));
        }
    }
}
