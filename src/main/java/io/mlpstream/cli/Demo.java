package io.mlpstream.cli;

import io.mlpstream.data.IdxReader;
import io.mlpstream.learn.OnlineTrainer;
import io.mlpstream.service.MlpConfig;
import io.mlpstream.service.Models;
import io.mlpstream.service.RunningModel;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * `./mlp-stream demo`: streams the bundled 10,000 digits into the images topic and prints, every
 * few seconds, how the model is learning. The service itself is the normal one.
 */
@ApplicationScoped
public class Demo {
    @Inject
    MlpConfig config;

    @Inject
    Models models;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** The service's own kafka.* settings (security included), for the demo's producer. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "mlp.topics.images", defaultValue = "images")
    String topic;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    void start(@Observes StartupEvent event) {
        if (!config.demo().enabled()) return;
        Thread producer = new Thread(this::produce, "demo-producer");
        producer.setDaemon(true);
        producer.start();
        Thread reporter = new Thread(this::report, "demo-reporter");
        reporter.setDaemon(true);
        reporter.start();
    }

    private void produce() {
        try {
            IdxReader.Images images = IdxReader.readImages(IdxReader.SAMPLE_IMAGES);
            byte[] labels = IdxReader.readLabels(IdxReader.SAMPLE_LABELS, images);
            String prefix = "demo-" + System.currentTimeMillis() + "-";
            Properties client = new Properties();
            kafka.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k)) client.put(k, v);
            });
            Produce.send(client, topic, images, labels, images.count(), config.demo().rate(), prefix, false);
        } catch (Exception e) {
            System.out.println("demo: producing failed: " + e.getMessage());
        }
    }

    /** The lab: one line per model, the serving one marked. */
    private void printModels() {
        for (RunningModel m : models.all()) {
            OnlineTrainer t = m.trainer();
            System.out.printf("demo:   %s %-18s step %6d  loss %.3f  prequential accuracy %.3f (last 1000: %.3f)%n",
                    m.name().equals(models.servingName()) ? "*" : " ", m.name(), t.step(), t.lastLoss(),
                    t.accuracy().cumulative(), t.accuracy().window());
        }
    }

    private void report() {
        String base = "http://localhost:" + httpPort;
        System.out.printf("%ndemo: the live page: %s/   (every model learning; draw a digit for it to read)%n", base);
        System.out.printf("demo: streaming the bundled 10,000 MNIST digits into '%s' on %s%n", topic, bootstrap);
        System.out.printf("demo: metrics %s/q/metrics   health %s/q/health   predictions: ./mlp-stream tail%n", base, base);
        System.out.printf("demo: model %s/api/model   confusion matrix %s/api/stats/confusion%n%n", base, base);
        long start = models.serving().trainer().examplesTrained(), startNanos = System.nanoTime(), last = start, lastNanos = startNanos;
        try {
            while (true) {
                Thread.sleep(3000);
                OnlineTrainer t = models.serving().trainer(); // each time: with best, another may serve by now
                long now = System.nanoTime(), trained = t.examplesTrained();
                System.out.printf("demo: %6d examples trained  %7.0f examples/s  loss %.3f  prequential accuracy %.3f (last 1000: %.3f)%n",
                        trained, (trained - last) / ((now - lastNanos) / 1e9), t.lastLoss(),
                        t.accuracy().cumulative(), t.accuracy().window());
                if (models.all().size() > 1) printModels();
                if (trained - start >= 10_000 && trained == last) {
                    System.out.printf("%ndemo: done: %d examples in %.1f s; the service keeps running (Ctrl-C to stop)%n",
                            trained - start, (now - startNanos) / 1e9);
                    return;
                }
                last = trained;
                lastNanos = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
