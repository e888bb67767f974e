package io.mlpstream.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) running inside this JVM, from the
 * Apache Kafka jars. Its data lives under one directory and survives restarts. Not for production:
 * one node, replication factor 1.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);

    /** How clients reach it: as a laptop's Kafka does, or as a managed one (TLS and SCRAM, {@link BrokerSecurity}). */
    public enum Security {
        PLAINTEXT, SASL_SSL;

        /** MLP_EMBEDDED_KAFKA_SECURITY's value: plaintext or sasl-ssl. */
        public static Security parse(String value) {
            return switch (value.trim().toLowerCase()) {
                case "plaintext" -> PLAINTEXT;
                case "sasl-ssl" -> SASL_SSL;
                default -> throw new IllegalArgumentException("MLP_EMBEDDED_KAFKA_SECURITY must be plaintext or sasl-ssl, got '" + value + "'");
            };
        }
    }

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Security security;
    /** Inter-broker traffic stays in the process, on a plaintext listener of its own: the broker needs no user. */
    private final int internalPort;
    private BrokerSecurity secrets;
    private KafkaRaftServer server;

    /** port 0 picks a free port. */
    public EmbeddedKafka(Path dataDir, int port) {
        this(dataDir, port, 0);
    }

    /** Fixed ports let a broker restart where its clients expect it. */
    public EmbeddedKafka(Path dataDir, int port, int controllerPort) {
        this(dataDir, port, controllerPort, Security.PLAINTEXT);
    }

    public EmbeddedKafka(Path dataDir, int port, int controllerPort, Security security) {
        this.dataDir = dataDir;
        int[] free = freePorts(3); // held open together: ports picked one by one can repeat (a listener clash)
        this.port = port == 0 ? free[0] : port;
        this.controllerPort = controllerPort == 0 ? free[1] : controllerPort;
        this.security = security;
        this.internalPort = security == Security.PLAINTEXT ? this.port : free[2];
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public EmbeddedKafka start() {
        long t0 = System.nanoTime();
        BrokerLogging.quietFirstStart();
        try {
            Files.createDirectories(dataDir);
            Path logs = dataDir.resolve("kraft-logs");
            if (!Files.exists(logs.resolve("meta.properties"))) {
                // format only once: formatting an existing directory again fails with "Invalid cluster.id"
                new Formatter()
                        .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                        .setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1)
                        .setControllerListenerName("CONTROLLER")
                        .setMetadataLogDirectory(logs.toString())
                        .setDirectories(List.of(logs.toString()))
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .run();
            }
            if (security == Security.SASL_SSL) secrets = BrokerSecurity.of(dataDir, bootstrapServers());
            server = new KafkaRaftServer(KafkaConfig.fromProps(properties(logs), false), Time.SYSTEM);
            server.startup();
            if (secrets != null) ScramUser.upsert("localhost:" + internalPort, BrokerSecurity.USER, secrets.password());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka failed to start in " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.infof("Embedded Kafka started at %s in %d ms (data in %s)", bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, dataDir);
        return this;
    }

    private Properties properties(Path logs) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        if (security == Security.PLAINTEXT) {
            p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            p.put("listeners", "SASL_SSL://localhost:" + port + ",BROKER://localhost:" + internalPort + ",CONTROLLER://localhost:" + controllerPort);
            p.put("advertised.listeners", "SASL_SSL://localhost:" + port + ",BROKER://localhost:" + internalPort);
            p.put("inter.broker.listener.name", "BROKER");
            p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.putAll(secrets.brokerSettings("SASL_SSL"));
        }
        p.put("log.dirs", logs.toString());
        // one node: every internal topic must have replication factor 1, or groups never form
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1"); // 50 by default: seconds of start-up for one producer
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // the service creates its topics itself; auto-creation would hide a missing step
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("message.max.bytes", String.valueOf(16 << 20));
        // a laptop-sized broker: it shares two cores with the service
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        return p;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** What a Java client sets beside bootstrap.servers: nothing for plaintext. */
    public Map<String, String> clientSettings() {
        return secrets == null ? Map.of() : secrets.clientSettings();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        if (server != null) {
            LOG.info("Stopping embedded Kafka");
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Distinct free ports: each socket stays open until all are picked, so the system cannot hand one out twice. */
    private static int[] freePorts(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    if (s != null) s.close();
                } catch (IOException ignored) {
                    // closing a listening socket that was never used
                }
            }
        }
    }
}
