package io.mlpstream.messaging;

import io.mlpstream.learn.Averager;
import io.mlpstream.learn.Learner;
import io.mlpstream.learn.ModelVersion;
import io.mlpstream.learn.UpdateCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Data-parallel mode, the averager: every instance runs this loop, and Kafka's group protocol gives model-updates' one
 * partition to one of them. The holder folds each update into the next version of its model ({@link Averager}) and
 * publishes the versions to the models topic in one transaction with its position in model-updates
 * (consume-transform-produce, as Kafka Streams' exactly-once), the group's generation with it, so that a holder that
 * lost the partition cannot commit. The next holder starts from the newest versions published and the updates after
 * them: each update is folded exactly once.
 */
final class ModelAverager implements Runnable {
    private static final Logger LOG = Logger.getLogger(ModelAverager.class);

    /** What the loop needs from Kafka and the models; {@code DataParallel} builds it. */
    record Setup(Supplier<KafkaConsumer<String, byte[]>> consumer, Supplier<KafkaProducer<String, byte[]>> producer,
                 Supplier<VersionRecords.Published> published, Map<String, ModelVersion> first,
                 Map<String, Learner> scratch, String updatesTopic, String modelsTopic) {
    }

    private final Setup setup;
    private final ClientLoop loop = new ClientLoop("Averaging (it starts again from the newest published versions)",
            this::averageWhileHeld);
    /** Per model, while this instance holds model-updates; null otherwise. */
    private Map<String, Averager> averagers;

    ModelAverager(Setup setup) {
        this.setup = setup;
    }

    @Override
    public void run() {
        loop.run();
    }

    private void averageWhileHeld() {
        try (KafkaConsumer<String, byte[]> c = loop.wakes(setup.consumer().get()); KafkaProducer<String, byte[]> p = setup.producer().get()) {
            p.initTransactions(); // aborts what this instance's earlier averager left open
            averagers = null;
            c.subscribe(List.of(setup.updatesTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (partitions.isEmpty()) return;
                    VersionRecords.Published published = setup.published().get();
                    averagers = start(published);
                    // the newest versions name the position after the updates they hold: the state and the position
                    // match even when the committed offset is already visible and the version's commit marker not yet
                    if (published.nextUpdate() >= 0) partitions.forEach(tp -> c.seek(tp, published.nextUpdate()));
                    LOG.infof("This instance averages the shards' updates, from versions %s", numbers());
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) averagers = null;
                }
            });
            while (loop.running()) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty() || averagers == null) continue;
                fold(records, c, p);
            }
        } finally {
            averagers = null;
        }
    }

    /** Per model: the newest version published, or version 0 (the seeded weights every shard starts from). */
    private Map<String, Averager> start(VersionRecords.Published published) {
        Map<String, Averager> all = new HashMap<>();
        setup.first().forEach((name, first) -> all.put(name, new Averager(published.versions().getOrDefault(name, first), 1)));
        return all;
    }

    private void fold(ConsumerRecords<String, byte[]> records, KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> p) {
        p.beginTransaction();
        try {
            Map<String, Averager> changed = new HashMap<>(); // each changed model's newest version is copied once, at the end
            for (ConsumerRecord<String, byte[]> r : records) {
                Averager a = r.key() == null ? null : averagers.get(r.key());
                if (a == null) {
                    LOG.warnf("An update of model %s (offset %d), which this instance does not train: skipped", r.key(), r.offset());
                    continue;
                }
                try { // one bad record (another architecture, another build) must not stop the averaging for good
                    a.add(UpdateCodec.decode(r.value()));
                    changed.put(r.key(), a);
                } catch (IllegalArgumentException e) {
                    LOG.errorf("The update at offset %d of %s cannot be folded into %s (%s): skipped", r.offset(),
                            setup.updatesTopic(), r.key(), e.getMessage());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<String, byte[]>> in = records.records(tp);
                next.put(tp, new OffsetAndMetadata(in.get(in.size() - 1).offset() + 1));
            }
            TopicPartition updates = records.partitions().iterator().next(); // the topic's one partition
            for (Map.Entry<String, Averager> e : changed.entrySet()) {
                p.send(new ProducerRecord<>(setup.modelsTopic(), e.getKey(), VersionRecords.encode(e.getValue().version(),
                        setup.scratch().get(e.getKey()), updates.toString(), next.get(updates).offset())));
            }
            p.sendOffsetsToTransaction(next, c.groupMetadata());
            p.commitTransaction();
        } catch (RuntimeException e) {
            averagers = null; // what was folded is not published: start again from what was
            try {
                p.abortTransaction();
            } catch (RuntimeException ignored) {
                // the producer is closed and made anew
            }
            throw e;
        }
    }

    private Map<String, Long> numbers() {
        Map<String, Long> n = new HashMap<>();
        averagers.forEach((name, a) -> n.put(name, a.version().number()));
        return n;
    }

    void stop() {
        loop.stop();
    }
}
