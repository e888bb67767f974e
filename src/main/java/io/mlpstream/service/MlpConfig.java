package io.mlpstream.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the service, under the {@code mlp.} prefix. Each can be overridden from the
 * environment: {@code mlp.optimizer.lr} is {@code MLP_OPTIMIZER_LR}. The README lists them all.
 */
@ConfigMapping(prefix = "mlp")
public interface MlpConfig {

    /** The key of training-metrics records and the "model" label of metrics. */
    @WithDefault("mnist-mlp")
    String modelName();

    /**
     * The lab preset: perceptron, relu, relu-no-dropout, tanh and sigmoid-deep side by side ({@link LabPreset}),
     * unless {@code mlp.models.*} names the models itself.
     */
    @WithDefault("false")
    boolean lab();

    /**
     * The model whose predictions go to the predictions topic and answer /api/predict: a model's name, or
     * {@code best} (the highest window accuracy, see {@link Serving}). Unset: the only model, {@code relu} in
     * the lab, else the alphabetically first.
     */
    Optional<String> servingModel();

    /**
     * Named models, {@code mlp.models.<name>.<key>} with the keys of {@link ModelSpec#KEYS}; read by
     * {@link ModelSpecs}, which also reads their environment form, MLP_MODELS__&lt;NAME&gt;__&lt;KEY&gt;.
     */
    Map<String, Map<String, String>> models();

    Serving serving();

    DriftConfig drift();

    /** How {@code mlp.serving-model=best} chooses, so that the serving model does not flap. */
    interface Serving {
        /** Labeled examples every model must have been scored on before any is compared: early accuracy is noise. */
        @WithDefault("1000")
        long burnIn();

        /** A challenger must lead the serving model's window accuracy by this much... */
        @WithDefault("0.01")
        double margin();

        /** ...for this many labeled examples in a row before it takes over. */
        @WithDefault("500")
        long patience();
    }

    /** All state on disk (embedded broker data, Kafka Streams state) lives under this directory. */
    @WithDefault("data")
    String dataDir();

    Model model();

    Optimizer optimizer();

    TrainingConfig training();

    LimitsConfig limits();

    TopicsConfig topics();

    LabelsConfig labels();

    /** train (default: the service) or predict (a replica that serves the models the trainer publishes). */
    @WithDefault("train")
    Role role();

    /** mlp.publish.every: how often the trainer publishes its models for predictor replicas. */
    Publish publish();

    /** mlp.predict.max-staleness: when a predictor replica stops answering. */
    Predict predict();

    interface Publish {
        /** At least this often when a model changed, a heartbeat when it did not. */
        @WithDefault("2s")
        Duration every();
    }

    interface Predict {
        /** A replica answers 503 when its newest model record or heartbeat is older than this; unset: no limit. */
        Optional<Duration> maxStaleness();
    }

    Checkpoints checkpoints();

    Demo demo();

    ApiConfig api();

    Delivery delivery();


    EmbeddedKafka embeddedKafka();

    interface Checkpoints {
        /** The compacted topic that holds model snapshots, key = model name. */
        @WithDefault("model-checkpoints")
        String topic();

        /** Write a snapshot after this many steps... */
        @WithDefault("500")
        int everySteps();

        /** ...or after this long, whichever comes first (and always on a graceful shutdown). */
        @WithDefault("30s")
        Duration every();

        /** When the stored snapshot's architecture differs from the configured one: start a fresh model
         * (true) or refuse to start (false, the default). */
        @WithDefault("false")
        boolean freshOnMismatch();
    }

    interface Demo {
        /** Set by `./mlp-stream demo`: stream the bundled digits through the service and report progress. */
        @WithDefault("false")
        boolean enabled();

        /** Events per second the demo produces; 0 = as fast as possible. */
        @WithDefault("0")
        double rate();
    }

    interface EmbeddedKafka {
        /** Port of the embedded broker, started when no kafka.bootstrap.servers is configured. */
        @WithDefault("9092")
        int port();

        /**
         * plaintext, or sasl-ssl: the embedded broker listens as a managed Kafka does (TLS and SCRAM-SHA-512), and
         * writes what a client needs under {@code <data>/kafka/client/}. Read by the launcher, before the service starts.
         */
        @WithDefault("plaintext")
        String security();
    }

    /**
     * The model. Every key is optional: an unset key takes its value from {@code ModelConfig.DEFAULT},
     * the one place the defaults live (and where their reasons are written).
     */
    interface Model {
        /** mlp, or perceptron for the baseline. */
        Optional<String> type();

        Optional<Integer> inputSize();

        Optional<Integer> classes();

        Optional<List<Integer>> hidden();

        /** relu, leaky-relu, sigmoid or tanh. */
        Optional<String> activation();

        /** LeakyReLU's slope for x < 0 (PyTorch's negative_slope). */
        Optional<Float> negativeSlope();

        /** The former name of negative-slope, still read. */
        Optional<Float> leakySlope();

        Optional<Float> dropout();

        /** he, xavier or torch; unset = the activation's natural choice. */
        Optional<String> init();

        Optional<Long> seed();
    }

    /** The optimizer; unset keys come from {@code OptimizerConfig.DEFAULT}. */
    interface Optimizer {
        /** sgd, momentum or adam. */
        Optional<String> name();

        Optional<Float> lr();

        /** For momentum (0.9 when unset). */
        Optional<Float> momentum();

        Optional<Boolean> nesterov();

        Optional<Float> weightDecay();

        /** Clip gradients to this global L2 norm; 0 = off. */
        Optional<Float> clipNorm();
    }

    /** How outputs and input offsets reach Kafka (README, "Delivery"). */
    interface Delivery {
        /**
         * exactly-once: outputs and input offsets in one Kafka transaction, so a read_committed consumer sees
         * each output once, across crashes; at-least-once: for brokers without transactions, duplicates after a crash.
         */
        @WithDefault("exactly-once")
        Guarantee guarantee();

        /** How often the open transaction is committed: outputs become visible to read_committed consumers after it. */
        @WithDefault("100ms")
        Duration commitInterval();

        /**
         * The transactional id; by default {@code mlp-stream-<model names>}, so that a second instance training
         * the same models fences the first, and two instances never write one model's outputs or checkpoints.
         */
        Optional<String> transactionalId();

        enum Guarantee {
            EXACTLY_ONCE, AT_LEAST_ONCE
        }
    }
}
