package io.mlpstream.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlpstream.events.Json;
import io.mlpstream.events.TrainingEvent;
import io.mlpstream.events.TrainingMetrics;
import io.mlpstream.service.InstanceId;
import io.mlpstream.service.LiveState;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.ModelsListener;
import io.mlpstream.service.Role;
import io.mlpstream.service.RunningModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * GET /api/events: the live page's server-sent events. A client first gets the whole current state (every
 * model, its newest metrics and its history, the misclassified digits), then, ten times a second, what changed:
 * one event with each model's newest training-metrics record (so at most ten a second per model), drift events,
 * new misclassified digits, serving switches, and twice a second the models' summaries. The events are made once per tick on this feed's own thread, for every client
 * at once, from what the trainer left in volatile fields: a hundred tabs cost the trainer nothing. A client
 * with more than {@link #MAX_UNSENT} events not yet written to its socket is dropped, never buffered.
 */
@ApplicationScoped
public class LiveFeed implements ModelsListener {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);
    static final int MAX_UNSENT = 100;
    private static final long TICK_MILLIS = 100;

    @Inject
    Models models;

    @Inject
    LiveState live;

    @Inject
    MlpConfig config;

    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final Queue<Buffer> switches = new ConcurrentLinkedQueue<>();
    private final Map<String, TrainingMetrics> sent = new HashMap<>();
    /** Per model, since the start: recorded whether or not a page is open, so that a late page has it all. */
    private final Map<String, LiveHistory> histories = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private ScheduledExecutorService ticker;
    private long misclassifiedSent;
    private long ticks;
    private ModelsSummary summary;

    /** One connected page. */
    private final class Client {
        final HttpServerResponse response;
        final AtomicInteger unsent = new AtomicInteger();

        Client(HttpServerResponse response) {
            this.response = response;
        }

        /** False, and the client is dropped, once too many events wait for its socket. */
        void send(Buffer event) {
            if (unsent.incrementAndGet() > MAX_UNSENT) {
                drop();
                return;
            }
            response.write(event).onComplete(done -> {
                unsent.decrementAndGet();
                if (done.failed()) clients.remove(this); // closed: perhaps before its close handler was set (review S2)
            });
        }

        void drop() {
            if (clients.remove(this)) {
                dropped.incrementAndGet();
                LOG.infof("A live-page client read too slowly (%d events unsent): dropped", unsent.get());
                response.reset(); // closes the connection without waiting for the unsent events
            }
        }
    }

    void route(@Observes Router router) {
        router.get("/api/events").handler(this::connect);
    }

    @PostConstruct
    void summarize() {
        boolean replica = config.role() == Role.PREDICT; // it trains no shard: it follows the models topic
        summary = replica ? new ModelsSummary("replica", "none")
                : new ModelsSummary(config.training().dataParallel() ? "data-parallel" : "single", InstanceId.shards(config));
    }

    void start(@Observes StartupEvent event) {
        models.listen(this);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlp-live");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) ticker.shutdownNow();
        clients.forEach(c -> c.response.end());
        clients.clear();
    }

    private void connect(RoutingContext rc) {
        HttpServerResponse response = rc.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        Client client = new Client(response);
        response.closeHandler(v -> clients.remove(client));
        if (response.closed()) return; // closed before the handler was set: it will never run
        clients.add(client);
        client.send(event("state", state()));
    }

    /** Clients dropped for reading too slowly, since the start. */
    public long dropped() {
        return dropped.get();
    }

    public int clients() {
        return clients.size();
    }

    @Override
    public void removed(RunningModel model) {
        histories.remove(model.name());
    }

    @Override
    public void servingChanged(String from, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("from", from);
        e.put("to", to);
        e.put("timestamp", System.currentTimeMillis());
        switches.add(event("serving", e));
    }

    /** Everything a page needs at once: the models, their newest metrics, the misclassified digits. */
    private Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("status", summary.of(models, live));
        s.put("metrics", models.all().stream().map(RunningModel::lastMetrics).filter(m -> m != null).toList());
        s.put("misclassified", live.misclassifiedSince(0));
        Map<String, LiveHistory.Snapshot> history = new LinkedHashMap<>();
        histories.forEach((model, h) -> history.put(model, h.snapshot()));
        s.put("history", history);
        return s;
    }

    private void tick() {
        try {
            ticks++;
            boolean anyone = !clients.isEmpty();
            List<RunningModel> all = models.all();
            Set<String> names = new HashSet<>();
            List<TrainingMetrics> fresh = new ArrayList<>();
            for (RunningModel m : all) {
                names.add(m.name());
                LiveHistory h = histories.computeIfAbsent(m.name(), k -> new LiveHistory());
                TrainingMetrics newest = m.lastMetrics();
                if (newest != null && newest != sent.get(m.name())) {
                    sent.put(m.name(), newest);
                    h.add(newest);
                    fresh.add(newest);
                }
                if (ticks % 5 == 0) h.add(System.currentTimeMillis(), m.info()); // only when it learned something new
            }
            histories.keySet().retainAll(names); // a model removed meanwhile
            sent.keySet().retainAll(names);
            List<TrainingEvent> events = live.takeEvents();
            List<LiveState.Misclassified> digits = live.misclassifiedSince(misclassifiedSent);
            if (!digits.isEmpty()) misclassifiedSent = digits.get(digits.size() - 1).seq() + 1;
            if (!anyone) {
                switches.clear();
                return;
            }
            for (Buffer b; (b = switches.poll()) != null; ) broadcast(b);
            if (!fresh.isEmpty()) broadcast(event("metrics", fresh)); // one event a tick, however many models
            if (!events.isEmpty()) broadcast(event("training-events", events));
            if (!digits.isEmpty()) broadcast(event("misclassified", digits));
            if (ticks % 5 == 0) broadcast(event("status", summary.of(models, live)));
        } catch (RuntimeException e) {
            LOG.warn("live feed tick failed; trying again at the next", e);
        }
    }

    private void broadcast(Buffer event) {
        for (Client c : clients) c.send(event);
    }

    private static Buffer event(String name, Object data) {
        try {
            byte[] json = Json.mapper().writeValueAsBytes(data);
            Buffer b = Buffer.buffer(json.length + name.length() + 16);
            b.appendString("event: " + name + "\ndata: ", "UTF-8").appendBytes(json).appendString("\n\n", "UTF-8");
            return b;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
