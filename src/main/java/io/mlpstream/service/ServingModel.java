package io.mlpstream.service;

import io.mlpstream.data.MnistPng;
import io.mlpstream.events.Prediction;
import io.mlpstream.learn.Examples;
import io.mlpstream.learn.Inference;
import io.mlpstream.learn.OnlineTrainer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/** What the HTTP API may see of the serving model: predictions beside training, and its description. */
@ApplicationScoped
public class ServingModel {

    @Inject
    Models models;

    @Inject
    MlpConfig config;

    /** The serving model; empty until the models are built or restored. */
    public Optional<ModelInfo> info() {
        RunningModel m = models.serving();
        return m == null ? Optional.empty() : Optional.of(m.info());
    }

    private OnlineTrainer trainer() {
        RunningModel m = models.serving();
        return m == null ? null : m.trainer();
    }

    /**
     * Why a predictor replica must not answer now: its serving model is older than mlp.predict.max-staleness (Flink
     * ML's maxAllowedModelDelayMs), or it holds no model yet; empty when it may.
     */
    public Optional<String> refusal() {
        RunningModel m = models.serving();
        if (config.role() != Role.PREDICT || m == null) return Optional.empty();
        for (RunningModel any : models.all()) { // /api/predict/all answers with every model
            if (!any.holdsModel()) return Optional.of("no model " + any.name() + " has been read from " + config.topics().models() + " yet");
        }
        double stale = m.stalenessSeconds();
        return config.predict().maxStaleness().filter(max -> stale > max.toMillis() / 1000.0).map(max -> String.format(
                "the model is %.1f s old, more than mlp.predict.max-staleness (%s): the trainer publishes no more", stale, max));
    }

    /** The input size the model takes (784 for 28x28), or empty before it is built. */
    public Optional<Integer> inputSize() {
        OnlineTrainer t = trainer();
        return t == null ? Optional.empty() : Optional.of(t.learner().config().inputSize());
    }

    /** The model's number of classes (10 digits). */
    public int classes() {
        OnlineTrainer t = trainer();
        return t == null ? ModelFactory.model(config.model()).classes() : t.learner().config().classes();
    }

    /** PNGs being decoded: at most mlp.limits.png-concurrency at once. */
    private Semaphore decoding;

    @PostConstruct
    void init() {
        decoding = new Semaphore(config.limits().pngConcurrency());
    }

    /**
     * A PNG of any size, made into a 28x28 MNIST-style digit first (see {@link MnistPng}), then predicted;
     * empty before the model is built.
     */
    public Optional<Prediction> predictPng(byte[] png) throws Refused {
        if (inputSize().isEmpty()) return Optional.empty();
        return predict(null, toMnist(png));
    }

    /** The PNG as a 28x28 MNIST-style digit, at most mlp.limits.png-concurrency at once. */
    private byte[] toMnist(byte[] png) throws Refused {
        Optional<Integer> inputSize = inputSize();
        if (inputSize.isEmpty()) throw new Refused(503, "Not ready", "the model is not loaded yet");
        if (inputSize.get() != 28 * 28) throw new Refused(415, "PNG not supported", "the model does not take 28x28 images");
        if (!decoding.tryAcquire()) {
            throw new Refused(429, "Too many PNGs at once", config.limits().pngConcurrency() + " PNGs are being decoded (mlp.limits.png-concurrency); retry");
        }
        try {
            return MnistPng.toMnist(png, config.limits().maxImageSide(), config.limits().maxPngPixels());
        } catch (MnistPng.Refused e) {
            throw new Refused(e.status, e.status == 413 ? "Image too large" : "Invalid PNG", e.getMessage());
        } finally {
            decoding.release();
        }
    }

    /** Every model's prediction of one image (the serving model's first), for the live page's canvas; empty before they are built. */
    public List<Prediction> predictAll(byte[] pixels) {
        List<Prediction> out = new ArrayList<>();
        RunningModel serving = models.serving();
        if (serving == null) return out;
        out.add(predict(serving, null, pixels));
        for (RunningModel m : models.all()) {
            if (m != serving) out.add(predict(m, null, pixels));
        }
        return out;
    }

    /** A PNG made into a 28x28 digit (as {@link #predictPng}), predicted by every model. */
    public List<Prediction> predictPngAll(byte[] png) throws Refused {
        return predictAll(toMnist(png));
    }

    /**
     * Predicts one image of unsigned bytes (0 = background) while training goes on, or empty before the
     * model is built. Any label is the caller's business.
     */
    public Optional<Prediction> predict(String id, byte[] pixels) {
        RunningModel m = models.serving();
        return m == null ? Optional.empty() : Optional.of(predict(m, id, pixels));
    }

    private static Prediction predict(RunningModel m, String id, byte[] pixels) {
        OnlineTrainer t = m.trainer();
        Examples one = new Examples(1, t.learner().config().inputSize());
        one.add(pixels, 0, Examples.UNLABELED);
        long version = m.version(); // data-parallel: the newest version this instance holds (read before the weights)
        Inference out = t.predict(one.inputs());         // (1, classes)
        return Prediction.of(id, out.logProbs().toArray(), null, m.name(), out.modelStep(),
                version < 0 ? out.modelStep() : version, System.currentTimeMillis());
    }
}
