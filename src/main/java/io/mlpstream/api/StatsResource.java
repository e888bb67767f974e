package io.mlpstream.api;

import io.mlpstream.streams.ClassMetrics;
import io.mlpstream.streams.ConfusionMatrix;
import io.mlpstream.streams.StatsQueries;
import io.mlpstream.streams.WindowSizes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * /api/stats: the Kafka Streams statistics over the predictions topic, counted once per prediction id.
 * Rows of the confusion matrix are true labels, columns predicted ones.
 */
@Path("/api/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {
    private static final int MAX_WINDOWS = 1000;

    @Inject
    StatsQueries stats;

    @ConfigProperty(name = "mlp.model-name", defaultValue = "mnist-mlp")
    String defaultModel;

    @ConfigProperty(name = "mlp.model.classes", defaultValue = "10")
    int classes;

    @GET
    @Path("/confusion")
    public Response confusion(@QueryParam("model") String model) {
        String name = modelOrDefault(model);
        return answer(() -> {
            ConfusionMatrix m = stats.confusion(name).orElse(ConfusionMatrix.empty(classes));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model", name);
            body.put("labels", IntStream.range(0, m.classes()).boxed().toList());
            body.put("matrix", m.counts());
            body.put("total", m.total());
            return body;
        });
    }

    @GET
    @Path("/classes")
    public Response classes(@QueryParam("model") String model) {
        String name = modelOrDefault(model);
        return answer(() -> {
            ClassMetrics c = stats.classMetrics(name).orElse(ClassMetrics.of(ConfusionMatrix.empty(classes)));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < c.support().length; i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("label", i);
                row.put("precision", finiteOrNull(c.precision()[i]));
                row.put("recall", finiteOrNull(c.recall()[i]));
                row.put("support", c.support()[i]);
                rows.add(row);
            }
            return Map.of("model", name, "total", c.total(), "classes", rows);
        });
    }

    @GET
    @Path("/accuracy")
    public Response accuracy(@QueryParam("window") String window, @QueryParam("model") String model,
                             @QueryParam("limit") String limitText) {
        List<Duration> sizes = stats.windowSizes();
        Duration size;
        try {
            size = window == null ? sizes.get(0) : WindowSizes.parse(window);
        } catch (IllegalArgumentException e) {
            return Problems.of(400, "Bad window", e.getMessage());
        }
        if (!sizes.contains(size)) {
            return Problems.of(400, "Unknown window size", "window=" + window + " is not kept; the sizes kept are "
                    + sizes.stream().map(WindowSizes::format).toList() + " (mlp.stats.windows)");
        }
        int limit;
        try {
            limit = limitText == null ? 60 : Integer.parseInt(limitText);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_WINDOWS) {
            return Problems.of(400, "Bad limit", "limit must be a whole number between 1 and " + MAX_WINDOWS);
        }
        int newest = limit;
        String name = modelOrDefault(model);
        return answer(() -> {
            List<Map<String, Object>> windows = new ArrayList<>();
            for (StatsQueries.Window w : stats.accuracy(name, size, newest)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("start", w.start().toString());
                row.put("end", w.end().toString());
                row.put("correct", w.correct());
                row.put("total", w.total());
                row.put("accuracy", w.total() == 0 ? null : (double) w.correct() / w.total());
                windows.add(row);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model", name);
            body.put("window", WindowSizes.format(size));
            body.put("windows", windows);
            return body;
        });
    }

    private static Response answer(Supplier<Object> query) {
        try {
            return Response.ok(query.get()).build();
        } catch (StatsQueries.NotReady e) {
            return Problems.of(503, "Statistics not ready", e.getMessage());
        }
    }

    private String modelOrDefault(String model) {
        return model == null || model.isBlank() ? defaultModel : model;
    }

    private static Double finiteOrNull(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
