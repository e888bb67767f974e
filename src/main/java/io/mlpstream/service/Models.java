package io.mlpstream.service;

import io.mlpstream.learn.CheckpointCodec;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.ModelConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The models this service trains, one or several ({@code mlp.models.*}, {@code mlp.lab}), built fresh or
 * restored from their newest snapshots at start; which one serves; and models added or removed at run
 * time. Every change to the set, and everything that drives a model, runs on the {@link TrainerThreads}.
 */
@ApplicationScoped
public class Models implements ModelSet {
    private static final Logger LOG = Logger.getLogger(Models.class);
    /** More models than this would not be compared live on a few cores; the limit keeps a typo from building hundreds. */
    public static final int MAX_MODELS = 16;

    @Inject
    MlpConfig config;

    @Inject
    CheckpointStore store;

    @Inject
    Config mp;

    @Inject
    TrainerThreads threads;

    private List<ModelSpec> configured;
    private volatile List<RunningModel> models = List.of();
    private Serving serving;
    private ModelRegistry registry = ModelRegistry.EMPTY;
    private final CountDownLatch restored = new CountDownLatch(1);
    private final List<ModelsListener> listeners = new CopyOnWriteArrayList<>();

    @PostConstruct
    void configure() {
        configured = ModelSpecs.configured(config, ModelSpecs.properties(mp), System.getenv());
        if (configured.size() > MAX_MODELS) throw new IllegalArgumentException("at most " + MAX_MODELS + " models, got " + configured.size());
        serving = new Serving(config, configuredNames());
    }

    /**
     * The key of this model set's record of changes at run time: one per configured set, so that another set
     * sharing the checkpoints topic (a plain demo after a lab) neither sees nor changes it.
     */
    String registryKey() {
        return CheckpointStore.REGISTRY + String.join("+", configuredNames());
    }

    /** The configured models (before any change at run time), sorted by name. */
    public List<ModelSpec> configured() {
        return configured;
    }

    /** The configured models' names, sorted: what the transactional id is made of. */
    public List<String> configuredNames() {
        return configured.stream().map(ModelSpec::name).toList();
    }

    void start(@Observes @Priority(10) StartupEvent event) {
        try {
            ModelSpec base = ModelSpecs.base(config);
            // the architectures are checked before the models' outputs are taken over: a new version that refuses
            // to start must not have fenced the running one
            if (config.role() == Role.PREDICT) { // a replica: fresh models, whose weights come from the models topic
                models = configured.stream().map(spec -> RunningModel.of(spec, null, schedule(), config.drift().watch())).toList();
                serving.start(models, null);
                return;
            }
            Map<String, byte[]> peeked = store.peek();
            List<ModelSpec> planned = ModelRegistry.read(peeked.get(registryKey())).applyTo(configured, base);
            for (ModelSpec spec : planned) {
                if (peeked.containsKey(spec.name())) checkArchitecture(spec, peeked.get(spec.name()), false);
            }
            Map<String, byte[]> newest = store.newest();
            registry = ModelRegistry.read(newest.get(registryKey()));
            List<RunningModel> built = new ArrayList<>();
            for (ModelSpec spec : registry.applyTo(configured, base)) {
                byte[] bytes = newest.get(spec.name());
                CheckpointCodec.Stored stored = null;
                if (bytes == null) {
                    LOG.infof("No checkpoint of %s in %s: starting a fresh model", spec.name(), config.checkpoints().topic());
                } else if (checkArchitecture(spec, bytes, true)) {
                    stored = CheckpointCodec.decode(bytes, Kernels.best());
                }
                built.add(RunningModel.of(spec, stored, schedule(), config.drift().watch()));
            }
            if (built.isEmpty()) throw new IllegalStateException("no model to train: every configured model was removed at run time. "
                    + "Delete key " + registryKey() + " of " + config.checkpoints().topic() + " to start from the configured ones.");
            models = List.copyOf(built);
            serving.start(models, registry.serving());
        } finally {
            restored.countDown();
        }
        for (RunningModel m : models) {
            OnlineTrainer t = m.trainer(); // the effective settings: a restored model's own, not necessarily the configured ones
            LOG.infof("Model %s%s: %s, %s, dropout %s, batch size %d%n%s", m.name(), m.name().equals(serving.name()) ? " (serving)" : "",
                    t.learner().config().architecture(), t.learner().rule().config(), t.learner().dropout(), t.config().batchSize(),
                    t.learner().network());
        }
    }

    private CheckpointSchedule schedule() {
        if (config.training().dataParallel()) return CheckpointSchedule.NEVER; // see DataParallel
        return new CheckpointSchedule(config.checkpoints().everySteps(), config.checkpoints().every());
    }

    /** True if the snapshot's architecture is the configured one; else refuses to start, or returns false if asked to. */
    private boolean checkArchitecture(ModelSpec spec, byte[] snapshot, boolean warn) {
        ModelConfig stored = CheckpointCodec.peekConfig(snapshot), wanted = spec.model();
        if (stored.sameArchitecture(wanted)) return true;
        String both = "the snapshot of " + spec.name() + " is " + stored.architecture() + " " + stored.hidden()
                + ", the configuration asks for " + wanted.architecture() + " " + wanted.hidden();
        if (!config.checkpoints().freshOnMismatch()) {
            throw new IllegalStateException("Refusing to start: " + both
                    + ". Set MLP_CHECKPOINTS_FRESH_ON_MISMATCH=true to start a fresh model instead.");
        }
        if (warn) LOG.warnf("Starting a fresh model: %s", both);
        return false;
    }

    /** Waits for the models to be built or restored (partitions can be assigned before). */
    public void awaitRestored() {
        try {
            restored.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every model, sorted by name; empty until they are built. */
    @Override
    public List<RunningModel> all() {
        return models;
    }

    /** The serving model, or null until the models are built. */
    public RunningModel serving() {
        String name = serving.name();
        return name == null ? null : get(name).orElse(null);
    }

    @Override
    public String servingName() {
        return serving.name();
    }

    @Override
    public void listen(ModelsListener listener) {
        listeners.add(listener);
    }

    /** With {@code mlp.serving-model=best}: lets the best model serve, if it has led long enough. Trainer thread. */
    @Override
    public void chooseServing() {
        String next = serving.choose(models);
        if (!next.equals(serving.name())) switchServing(next, "its window accuracy led by " + config.serving().margin()
                + " or more for " + config.serving().patience() + " examples");
    }

    /** Logged, counted and published by the listeners, and written down: after a restart, best goes on from it. */
    private void switchServing(String to, String why) {
        String from = serving.name();
        serving.set(to);
        registry = registry.withServing(to);
        writeRegistry();
        LOG.infof("Serving model: %s -> %s (%s)", from, to, why);
        listeners.forEach(l -> l.servingChanged(from, to));
    }

    /** Adds a fresh model that learns from the next example on, and writes it down for restarts. Trainer thread. */
    public RunningModel add(ModelSpec spec) throws Refused {
        if (get(spec.name()).isPresent()) throw new Refused(409, "Duplicate model", "a model named '" + spec.name() + "' is training");
        if (models.size() >= MAX_MODELS) throw new Refused(409, "Too many models", "at most " + MAX_MODELS + " models train at once");
        if (spec.model().inputSize() != models.get(0).trainer().learner().config().inputSize()
                || spec.model().classes() != models.get(0).trainer().learner().config().classes()) {
            throw new Refused(400, "Invalid model", "input-size and classes must be those of the stream's models");
        }
        long bytes = CheckpointCodec.maxBytes(spec.model()); // from its shape, before anything is allocated
        long body = mp.getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class).map(MemorySize::asLongValue).orElse(10L << 20);
        if (bytes > store.maxValueBytes() || bytes > body) {
            throw new Refused(400, "Invalid model", "its snapshot would be up to " + (bytes >> 20) + " MiB, above " + (bytes > store.maxValueBytes()
                    ? "the " + (store.maxValueBytes() >> 20) + " MiB a checkpoint may have (" + store.limitedBy() + "): it could never be checkpointed"
                    : "the HTTP body limit: it could never be uploaded back; set QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE=" + ((bytes >> 20) + 1) + "M"));
        }
        RunningModel m = RunningModel.of(spec, null, schedule(), config.drift().watch());
        List<RunningModel> next = new ArrayList<>(models);
        next.add(m);
        next.sort(Comparator.comparing(RunningModel::name));
        models = List.copyOf(next);
        registry = registry.withAdded(spec);
        writeRegistry();
        store.write(spec.name(), null, () -> { }, e -> { }); // an older model of that name is not restored after a restart
        listeners.forEach(l -> l.added(m));
        LOG.infof("Model %s added at run time: %s, %s; it learns from the next example on", spec.name(),
                spec.model().architecture(), spec.optimizer());
        return m;
    }

    /** Removes a model, its snapshot and its meters; another serves if it served. Trainer thread. */
    public void remove(String name) throws Refused {
        RunningModel m = get(name).orElseThrow(() -> unknown(name));
        if (models.size() == 1) throw new Refused(409, "Last model", "the service trains at least one model");
        List<RunningModel> rest = models.stream().filter(x -> x != m).toList();
        // another serves before this one goes, so that a prediction never finds no serving model
        if (name.equals(serving.name())) switchServing(serving.after(rest), "the serving model was removed");
        models = rest;
        registry = registry.withRemoved(name, configured.stream().anyMatch(s -> s.name().equals(name)));
        writeRegistry();
        store.write(name, null, () -> { }, e -> LOG.warnf("The snapshot of the removed %s could not be deleted: %s", name, e.getMessage()));
        listeners.forEach(l -> l.removed(m));
        LOG.infof("Model %s removed at run time", name);
    }

    private void writeRegistry() {
        store.write(registryKey(), registry.bytes(), () -> { }, e -> LOG.errorf(
                "The record of models added and removed could not be written (%s): after a restart the set may differ", e.getMessage()));
    }

    /** Writes a model's snapshot (from {@link RunningModel#snapshot}); its status follows the store's answer. Trainer thread. */
    @Override
    public void writeCheckpoint(RunningModel m, byte[] bytes, long step) {
        store.write(m.name(), bytes, () -> m.checkpointStored(step), e -> m.checkpointFailed(step, bytes.length, e));
    }

    public Refused unknown(String name) {
        return new Refused(404, "Unknown model", "no model named '" + name + "'; this service trains "
                + models.stream().map(RunningModel::name).toList());
    }
}
