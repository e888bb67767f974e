package io.mlpstream.cli;

import io.mlpstream.data.IdxReader;
import io.mlpstream.events.ImageEvents;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** `./mlp-stream produce`: publishes an IDX dataset as image events, with a progress bar. */
public final class Produce {
    private static final String HELP = """
            usage: mlp-stream produce [options]    publish images as JSON image events (key = id)
              --bootstrap HOST:PORT  the broker (default: KAFKA_BOOTSTRAP_SERVERS, else localhost:9092)
              --command-config FILE  client settings (security.protocol, sasl.*, ssl.*) as the Kafka tools take them;
                                     KAFKA_* variables work too (KAFKA_SECURITY_PROTOCOL is security.protocol)
              --topic NAME           default: images
              --images FILE          idx3, gz or raw (default: the bundled 10,000 MNIST digits)
              --labels FILE          idx1 (default: the bundled labels)
              --unlabeled            send no labels: the service predicts only
              --rate N               events per second, 0 = as fast as possible (default 0)
              --limit N              send at most N events
              --repeat N             send the dataset N times (ids get a pass suffix), default 1
              --id-prefix P          ids are P + index (default: mnist-)""";

    private Produce() {
    }

    public static int run(String[] args) throws Exception {
        Options o = new Options(args, HELP, "unlabeled");
        if (o.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        IdxReader.Images images = IdxReader.readImages(o.value("images", IdxReader.SAMPLE_IMAGES));
        boolean unlabeled = o.has("unlabeled") || (o.has("images") && !o.has("labels"));
        byte[] labels = unlabeled ? null : IdxReader.readLabels(o.value("labels", IdxReader.SAMPLE_LABELS), images);
        int repeat = o.intValue("repeat", 1);
        long total = Math.min((long) images.count() * repeat, o.intValue("limit", Integer.MAX_VALUE));
        double rate = o.doubleValue("rate", 0);
        String topic = o.value("topic", "images");
        String prefix = o.value("id-prefix", "mnist-");
        long sent = send(o.client(), topic, images, labels, total, rate, prefix, true);
        System.err.printf("%nsent %d events to %s on %s%n", sent, topic, o.bootstrap());
        return 0;
    }

    /** Sends {@code total} events (cycling through the images), waits for every ack, returns the count. */
    /** To a broker that needs no security settings. */
    public static long send(String bootstrap, String topic, IdxReader.Images images, byte[] labels, long total,
                            double rate, String idPrefix, boolean progress) throws Exception {
        Properties client = new Properties();
        client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return send(client, topic, images, labels, total, rate, idPrefix, progress);
    }

    /** @param client the producer's settings: bootstrap.servers, and security where the cluster needs it */
    public static long send(Properties client, String topic, IdxReader.Images images, byte[] labels, long total,
                            double rate, String idPrefix, boolean progress) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (long n = 0; n < total; n++) {
                int i = (int) (n % images.count());
                long pass = n / images.count();
                String id = idPrefix + String.format("%05d", i) + (pass > 0 ? "-" + pass : "");
                Integer label = labels == null ? null : labels[i] & 0xFF;
                byte[] value = ImageEvents.toJson(id, label, images.cols(), images.rows(), images.pixels(), i * images.size());
                producer.send(new ProducerRecord<>(topic, id, value), (meta, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                    else acked.incrementAndGet();
                });
                if (failure.get() != null) throw failure.get();
                if (rate > 0) pace(start, n + 1, rate);
                if (progress && (n % 500 == 0 || n == total - 1)) bar(n + 1, total, start);
            }
            producer.flush();
        }
        if (failure.get() != null) throw failure.get();
        return acked.get();
    }

    /** Sleeps until {@code sent} events are due at {@code rate} per second since {@code start}. */
    static void pace(long start, long sent, double rate) throws InterruptedException {
        long due = start + (long) (sent / rate * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }

    private static void bar(long done, long total, long start) {
        double secs = (System.nanoTime() - start) / 1e9;
        double perSec = done / Math.max(secs, 1e-9);
        int width = 30, filled = (int) (width * done / total);
        long eta = (long) ((total - done) / Math.max(perSec, 1e-9));
        System.err.printf("\r[%s%s] %d/%d  %.0f/s  ETA %ds ", "#".repeat(filled), " ".repeat(width - filled),
                done, total, perSec, eta);
    }
}
