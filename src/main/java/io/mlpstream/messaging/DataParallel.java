package io.mlpstream.messaging;

import io.mlpstream.learn.Learner;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.optim.OptimizerConfig;
import io.mlpstream.pipeline.ShardSync;
import io.mlpstream.service.InstanceId;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import io.mlpstream.service.TrainerThreads;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The wiring of data-parallel mode ({@code mlp.training.mode=data-parallel}): this instance's models train as shards
 * ({@link ShardSync}) starting from the newest published versions, follow the newer ones ({@link VersionFollower}),
 * and every instance runs the averager's loop, which Kafka gives to one ({@link ModelAverager}).
 */
@ApplicationScoped
public class DataParallel {
    private static final Logger LOG = Logger.getLogger(DataParallel.class);

    @Inject
    MlpConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "mp.messaging.incoming.images.group.id", defaultValue = "mlp-stream")
    String group;

    @Inject
    @Identifier("images-rebalance")
    Partitions partitions;

    private ModelAverager averager;
    private VersionFollower follower;

    public boolean enabled() {
        return config.training().dataParallel();
    }

    /** mlp.training.shards counts only in data-parallel mode: set in single mode, it is said to be ignored. */
    void checkShards(@Observes StartupEvent event) {
        if (!enabled() && config.training().shards() != 1) {
            LOG.warnf("mlp.training.shards=%d is ignored: it counts only with mlp.training.mode=data-parallel; single mode "
                    + "trains each model on one thread", config.training().shards());
        }
    }

    /**
     * The instance's transactional id, {@code <group>-<instance id>-0}: its restart aborts its predecessor's transaction.
     * Its shards (mlp.training.shards) share it: they sync together, and one transaction carries all their updates.
     */
    String transactionalId() {
        return config.delivery().transactionalId().orElse(group) + "-" + InstanceId.of(config) + "-0";
    }

    /** Builds this instance's shards from the newest published versions and starts the follower and the averager. */
    public ShardSync start(Models models, TrainerThreads trainer) {
        if (config.delivery().guarantee() != MlpConfig.Delivery.Guarantee.EXACTLY_ONCE) {
            throw new IllegalStateException("mlp.training.mode=data-parallel needs mlp.delivery.guarantee=exactly-once: an "
                    + "update must commit with the offsets it covers");
        }
        if (config.drift().reaction().equals("background") || config.servingModel().orElse("").equals("best")) {
            throw new IllegalStateException("mlp.training.mode=data-parallel does not define mlp.drift.reaction=background or "
                    + "mlp.serving-model=best yet: a shard's model is swapped by the averager's versions");
        }
        partitions.positions().learnTogether();
        String instance = InstanceId.of(config);
        List<String> names = models.all().stream().map(RunningModel::name).toList();
        Map<String, ModelVersion> first = new HashMap<>();
        Map<String, Learner> scratch = new HashMap<>();
        for (RunningModel m : models.all()) {
            Learner l = m.trainer().learner();
            first.put(m.name(), ModelVersion.first(l.network().parameters())); // seeded: the same on every instance
            // plain SGD: no optimizer state in a version's record (each shard keeps its own; replicas need none)
            scratch.put(m.name(), Learner.create(l.config(), OptimizerConfig.sgd(l.rule().config().lr()), Kernels.best()));
        }
        Map<String, ModelVersion> start = new HashMap<>(first);
        String updates = config.topics().modelUpdates() + "-0";
        start.putAll(VersionRecords.newest(readProps(), config.topics().models(), names, updates).versions());
        ShardSync sync = new ShardSync(models, start, new ShardSync.Settings(instance, config.training().shards(),
                config.drift()::watch, config.training().syncEvery(), config.training().maxStaleness()), System.nanoTime());
        LOG.infof("Data-parallel: instance %s trains its partitions as %d shard(s) of %s, from versions %s, syncing every %s",
                instance, sync.count(), names, numbers(start), config.training().syncEvery());

        averager = new ModelAverager(new ModelAverager.Setup(this::averagerConsumer, () -> averagerProducer(instance),
                () -> VersionRecords.newest(readProps(), config.topics().models(), names, updates), first, scratch,
                config.topics().modelUpdates(), config.topics().models()));
        follower = new VersionFollower(readProps(), config.topics().models(), names,
                (name, version) -> trainer.submit(() -> sync.rebase(name, version)));
        start(averager, "mlp-averager");
        start(follower, "mlp-version-follower");
        return sync;
    }

    /**
     * Partitions lost without a revocation, or given up without a commit: the shard's weights hold what it learned of
     * them since its last update, which would go out in its next update while their new owner learns them again from
     * the committed offsets. Data-parallel, the instance stops (exit status 3), so that it starts again from the newest
     * version and the committed offsets of whatever it is given; single mode goes on as before.
     */
    void lost(Collection<TopicPartition> partitions) {
        if (!enabled() || partitions.isEmpty()) return;
        LOG.errorf("Data-parallel: %s lost without a commit; what this shard learned of them since its last update is in "
                + "no committed update. This instance stops, to start again from the newest version.", partitions);
        Quarkus.asyncExit(3);
    }

    private void start(Runnable loop, String name) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (averager != null) averager.stop();
        if (follower != null) follower.stop();
    }

    private Map<String, Object> readProps() {
        return KafkaSettings.forClient(kafka, ConsumerConfig.configNames());
    }

    private KafkaConsumer<String, byte[]> averagerConsumer() {
        Map<String, Object> props = readProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-averager");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // a shard's update counts once it commits
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> averagerProducer(String instance) {
        Map<String, Object> props = KafkaSettings.forClient(kafka, ProducerConfig.configNames());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-averager-" + instance);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaOutputs.MAX_REQUEST_BYTES);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static Map<String, Long> numbers(Map<String, ModelVersion> versions) {
        Map<String, Long> n = new HashMap<>();
        versions.forEach((k, v) -> n.put(k, v.number()));
        return n;
    }
}
