package io.mlpstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlpstream.events.Json;
import io.mlpstream.messaging.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 26: every dashboard query returns data in data-parallel mode too (the model version, the examples per shard and
 * the sync histogram are the mode's own panels). The same checks as {@link DashboardTest}, the service one shard; and
 * the live page's feed names the mode and this instance's shard.
 */
@QuarkusTest
@TestProfile(DataParallelDashboardTest.DataParallel.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class DataParallelDashboardTest extends DashboardTest {

    public static class DataParallel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mlp.training.mode", "data-parallel", "mlp.training.instance-id", "dashboard-0", "mlp.training.shards", "2");
        }
    }

    @Test
    void theLivePageNamesTheModeAndTheShard() throws Exception {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        HttpResponse<InputStream> feed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        String data = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(feed.body(), StandardCharsets.UTF_8))) {
            for (String line; data == null && (line = in.readLine()) != null; ) {
                if (line.startsWith("data:")) data = line.substring(5).trim(); // the first event: the whole state
            }
        }
        JsonNode status = Json.mapper().readTree(data).path("status");
        assertEquals("data-parallel", status.path("mode").asText(), data);
        assertEquals("dashboard-0-0, dashboard-0-1", status.path("shard").asText(), data);
    }
}
