package io.mlpstream.api;

import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.ServingModel;
import io.mlpstream.streams.ClassMetrics;
import io.mlpstream.streams.ConfusionMatrix;
import io.mlpstream.streams.StatsQueries;
import io.mlpstream.streams.WindowSizes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.Optional;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * /api/stats: the Kafka Streams statistics over the predictions topic, counted once per prediction id, from
 * whichever instance holds them ({@link StatsForwarding}). Rows of the confusion matrix are true labels, columns
 * predicted ones.
 */
@Path("/api/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {
    private static final int MAX_WINDOWS = 1000;

    @Inject
    StatsQueries stats;

    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @Inject
    ServingModel serving;

    @Inject
    StatsForwarding forwarding;

    record Confusion(String model, List<Integer> labels, long[][] matrix, long total) {
    }

    record ClassRow(int label, Double precision, Double recall, long support) {
    }

    record Classes(String model, long total, List<ClassRow> classes) {
    }

    record WindowRow(String start, String end, long correct, long total, Double accuracy) {
    }

    record Accuracy(String model, String window, List<WindowRow> windows) {
    }

    @GET
    @Path("/confusion")
    public Response confusion(@QueryParam("model") String model, @Context UriInfo uri, @Context HttpHeaders headers) {
        String name = modelOrDefault(model);
        return answer(name, uri, headers, () -> {
            ConfusionMatrix m = stats.confusion(name).orElse(ConfusionMatrix.empty(serving.classes()));
            return new Confusion(name, IntStream.range(0, m.classes()).boxed().toList(), m.counts(), m.total());
        });
    }

    @GET
    @Path("/classes")
    public Response classes(@QueryParam("model") String model, @Context UriInfo uri, @Context HttpHeaders headers) {
        String name = modelOrDefault(model);
        return answer(name, uri, headers, () -> {
            ClassMetrics c = stats.classMetrics(name).orElse(ClassMetrics.of(ConfusionMatrix.empty(serving.classes())));
            List<ClassRow> rows = new ArrayList<>();
            for (int i = 0; i < c.support().length; i++) {
                rows.add(new ClassRow(i, finiteOrNull(c.precision()[i]), finiteOrNull(c.recall()[i]), c.support()[i]));
            }
            return new Classes(name, c.total(), rows);
        });
    }

    @GET
    @Path("/accuracy")
    public Response accuracy(@QueryParam("window") String window, @QueryParam("model") String model,
                             @QueryParam("limit") String limitText, @Context UriInfo uri, @Context HttpHeaders headers) {
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
        return answer(name, uri, headers, () -> {
            List<WindowRow> windows = new ArrayList<>();
            for (StatsQueries.Window w : stats.accuracy(name, size, newest)) {
                windows.add(new WindowRow(w.start().toString(), w.end().toString(), w.correct(), w.total(),
                        w.total() == 0 ? null : (double) w.correct() / w.total()));
            }
            return new Accuracy(name, WindowSizes.format(size), windows);
        });
    }

    /** From this instance's stores, or from the instance that holds the model's statistics. */
    private Response answer(String model, UriInfo uri, HttpHeaders headers, Supplier<Object> query) {
        try {
            Optional<Response> there = forwarding.elsewhere(model, uri, headers);
            if (there.isPresent()) return there.get();
            return Response.ok(query.get()).build();
        } catch (StatsQueries.NotReady e) {
            return Problems.of(503, "Statistics not ready", e.getMessage());
        }
    }

    private String modelOrDefault(String model) {
        if (model != null && !model.isBlank()) return model;
        String serving = models.servingName();
        return serving != null ? serving : config.modelName();
    }

    private static Double finiteOrNull(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
