package io.mlpstream.cli;

import io.mlpstream.broker.EmbeddedKafka;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The entry point of `./mlp-stream`. {@code serve} and {@code demo} start the service, and first an
 * embedded Kafka broker when none is configured; the other commands are clients that need no service.
 *
 * <p>The broker must start before Quarkus (the Kafka clients read their configuration at start) and
 * stop after it (Kafka Streams and the consumers spin if the broker goes first).
 */
@QuarkusMain
public class Main {
    private static final Logger LOG = Logger.getLogger(Main.class);
    static final String USAGE = """
            usage: mlp-stream <command> [options]
              demo      serve, and stream the bundled 10,000 MNIST digits through the service
                        (--lab: through the lab's five models side by side, mlp.lab=true)
              serve     run the service until SIGTERM (an embedded Kafka when KAFKA_BOOTSTRAP_SERVERS is unset)
              kafka     run only the embedded broker until SIGTERM (MLP_EMBEDDED_KAFKA_PORT, MLP_DATA_DIR)
              produce   publish an IDX dataset to a topic (--help for options)
              tail      follow the predictions topic and print one line per prediction (--help)
              export    write a model as ONNX, or its weights as safetensors (--help)
              bench     train in memory and print JSON lines (--help)
              bench-kafka  the service's throughput and latency through a real broker (--help)
              bench-stats  the statistics' CPU per prediction, alone on a real broker (--help)
            """;

    private static final String SERVE_HELP = """
            usage: mlp-stream serve    run the service until SIGTERM; with KAFKA_BOOTSTRAP_SERVERS unset (or empty), an
                                       embedded Kafka first (MLP_EMBEDDED_KAFKA_PORT, MLP_DATA_DIR). Settings: docs/configuration.md""";
    private static final String DEMO_HELP = """
            usage: mlp-stream demo [--lab]    serve, and stream the bundled 10,000 MNIST digits through the service
              --lab    the lab's five models side by side (mlp.lab=true)""";

    public static void main(String... args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        try {
            run(command, rest);
        } catch (IllegalArgumentException e) { // bad input on the command line: what was wrong, not a stack trace
            System.err.println("mlp-stream " + command + ": " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(String command, String[] rest) throws Exception {
        if (!command.equals("serve") && !command.equals("demo")) CommandLogging.configure(); // the service configures its own
        switch (command) {
            case "bench" -> System.exit(Bench.run(rest));
            case "bench-kafka" -> System.exit(KafkaBench.run(rest));
            case "bench-stats" -> System.exit(StatsBench.run(rest));
            case "produce" -> System.exit(Produce.run(rest));
            case "tail" -> System.exit(Tail.run(rest));
            case "export" -> System.exit(Export.run(rest));
            case "serve" -> serve(rest, false);
            case "demo" -> serve(rest, true);
            case "kafka" -> kafka(rest);
            case "help", "--help", "-h" -> System.out.print(USAGE);
            default -> {
                System.err.print("unknown command: " + command + "\n" + USAGE);
                System.exit(2);
            }
        }
    }

    private static void serve(String[] options, boolean demo) {
        Options o = new Options(options, demo ? DEMO_HELP : SERVE_HELP, "lab");
        if (o.has("help")) {
            System.out.println(demo ? DEMO_HELP : SERVE_HELP);
            return;
        }
        if (demo) {
            System.setProperty("mlp.demo.enabled", "true");
        }
        if (o.has("lab")) {
            System.setProperty("mlp.lab", "true");
        }
        String[] args = {};
        EmbeddedKafka.Security security = EmbeddedKafka.Security.parse(
                setting("mlp.embedded-kafka.security", "MLP_EMBEDDED_KAFKA_SECURITY", "plaintext"));
        if (kafkaConfigured()) {
            if (security != EmbeddedKafka.Security.PLAINTEXT) {
                LOG.info("MLP_EMBEDDED_KAFKA_SECURITY is ignored: KAFKA_BOOTSTRAP_SERVERS names a cluster, and no broker starts here");
            }
            Quarkus.run(Service.class, args);
            return;
        }
        EmbeddedKafka broker = startBroker(security);
        System.setProperty("kafka.bootstrap.servers", broker.bootstrapServers());
        broker.clientSettings().forEach((k, v) -> System.setProperty("kafka." + k, v)); // the service's own clients
        if (System.getenv("KAFKA_BOOTSTRAP_SERVERS") != null) {
            // set but empty: Quarkus' kafka.* map also reads the variable by its own name, which must not win
            System.setProperty("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        }

        CountDownLatch appStopped = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                appStopped.await(60, TimeUnit.SECONDS); // the application first...
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            broker.close();                             // ...the broker last
        }, "embedded-kafka-shutdown"));
        Quarkus.run(Service.class, (code, failure) -> {
            exitCode.set(code);
            if (failure != null) failure.printStackTrace();
            appStopped.countDown();
        }, args);
        appStopped.countDown();
        if (!shuttingDown()) {
            // the application ended by itself (a failure at start, say): stop the broker through the hook
            System.exit(exitCode.get());
        }
        // else SIGTERM: the hooks are running; exiting with a non-zero status now would halt the JVM
        // in the middle of closing the broker
    }

    /** A broker of its own, for clients and services in other processes. */
    private static void kafka(String[] args) throws InterruptedException {
        if (args.length > 0) {
            System.out.println("usage: mlp-stream kafka    a single-node KRaft broker until SIGTERM; port from "
                    + "MLP_EMBEDDED_KAFKA_PORT (9092), data under MLP_DATA_DIR/kafka (data/kafka)");
            return;
        }
        EmbeddedKafka broker = startBroker(EmbeddedKafka.Security.parse(
                setting("mlp.embedded-kafka.security", "MLP_EMBEDDED_KAFKA_SECURITY", "plaintext")));
        System.out.println("kafka: " + broker.bootstrapServers() + " (data in " + broker.dataDir() + ")"
                + (broker.clientSettings().isEmpty() ? "" : "; SASL_SSL: client settings in " + broker.dataDir().resolve("client"))
                + "; SIGTERM stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-shutdown"));
        Thread.currentThread().join();
    }

    /** The service: runs until asked to stop. */
    public static class Service implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }

    /** The embedded broker, under the data directory, on MLP_EMBEDDED_KAFKA_PORT. */
    private static EmbeddedKafka startBroker(EmbeddedKafka.Security security) {
        String dataDir = setting("mlp.data-dir", "MLP_DATA_DIR", "data");
        int port = Integer.parseInt(setting("mlp.embedded-kafka.port", "MLP_EMBEDDED_KAFKA_PORT", "9092"));
        return new EmbeddedKafka(Path.of(dataDir, "kafka"), port, 0, security).start();
    }

    /** A broker address was given; one set but empty (as shells and compose files often leave it) is none. */
    static boolean kafkaConfigured() {
        return !setting("kafka.bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS", "").isEmpty();
    }

    private static String setting(String property, String env, String dflt) {
        String v = System.getProperty(property);
        if (v == null) v = System.getenv(env);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
