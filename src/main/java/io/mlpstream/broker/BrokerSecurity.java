package io.mlpstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What the embedded broker needs to listen as a managed Kafka does (SASL_SSL, SCRAM-SHA-512): a CA, a broker
 * certificate for localhost and 127.0.0.1 signed by it, and one user. Generated once per data directory (with the JDK's
 * keytool) and reused on restart. The files a client needs go to {@code <data>/kafka/client/} (mode 600): ca.pem,
 * client.properties (Java clients; each key also works as a KAFKA_* variable) and librdkafka.conf (kcat -F,
 * confluent-kafka); plain key=value lines, no escapes or continuations, absolute paths.
 */
public final class BrokerSecurity {
    /** The one user, as DESIGN names it. */
    public static final String USER = "mlp-stream";
    public static final String MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final String password;
    private final String keystorePassword;

    private BrokerSecurity(Path dir, String password, String keystorePassword) {
        this.dir = dir;
        this.password = password;
        this.keystorePassword = keystorePassword;
    }

    /** The material under {@code kafkaDir}: made on the first start, read back on the next ones. */
    static BrokerSecurity of(Path kafkaDir, String bootstrap) {
        Path dir = kafkaDir.resolve("security");
        try {
            Path secrets = dir.resolve("secrets.properties");
            if (!Files.exists(secrets)) create(dir);
            Properties p = new Properties();
            try (var in = Files.newInputStream(secrets)) {
                p.load(in);
            }
            BrokerSecurity s = new BrokerSecurity(dir, p.getProperty("user.password"), p.getProperty("keystore.password"));
            s.writeClientFiles(kafkaDir.resolve("client"), bootstrap);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded broker's TLS and SASL material in " + dir, e);
        }
    }

    private static void create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        String store = secret();
        Path ca = dir.resolve("ca.p12"), broker = dir.resolve("broker.p12");
        Files.deleteIfExists(ca);
        Files.deleteIfExists(broker);
        keytool(null, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mlp-stream embedded CA",
                "-ext", "bc:c", "-validity", "3650", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", store);
        keytool(null, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "3650", "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", store);
        String request = keytool(null, "-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", store);
        String signed = keytool(request, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", store, "-rfc",
                "-validity", "3650", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
        String caPem = keytool(null, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", store);
        Files.writeString(dir.resolve("ca.pem"), caPem);
        keytool(null, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-keystore",
                broker.toString(), "-storepass", store);
        Path chain = dir.resolve("broker-chain.pem");
        Files.writeString(chain, signed + caPem);
        keytool(null, "-importcert", "-noprompt", "-alias", "broker", "-file", chain.toString(), "-keystore", broker.toString(),
                "-storepass", store);
        Properties p = new Properties();
        p.setProperty("user.password", secret());
        p.setProperty("keystore.password", store);
        Path secrets = dir.resolve("secrets.properties");
        try (var out = Files.newOutputStream(secrets)) {
            p.store(out, "the embedded broker's secrets: the SCRAM user's password and the keystore's");
        }
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
    }

    /** The broker's own settings for a SASL_SSL listener named {@code listener}. */
    Map<String, String> brokerSettings(String listener) {
        String prefix = "listener.name." + listener.toLowerCase() + ".";
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sasl.enabled.mechanisms", MECHANISM);
        s.put(prefix + "sasl.enabled.mechanisms", MECHANISM);
        s.put(prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        s.put(prefix + "ssl.keystore.type", "PKCS12");
        s.put(prefix + "ssl.keystore.location", dir.resolve("broker.p12").toAbsolutePath().toString());
        s.put(prefix + "ssl.keystore.password", keystorePassword);
        s.put(prefix + "ssl.key.password", keystorePassword);
        return s;
    }

    public String password() {
        return password;
    }

    /** What a Java client sets to connect, beside bootstrap.servers (client.properties holds the same). */
    public Map<String, String> clientSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", MECHANISM);
        s.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";");
        s.put("ssl.truststore.type", "PEM");
        s.put("ssl.truststore.location", dir.getParent().resolve("client").resolve("ca.pem").toAbsolutePath().toString());
        return s;
    }

    private void writeClientFiles(Path client, String bootstrap) throws IOException {
        Files.createDirectories(client);
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwx------"));
        write(client.resolve("ca.pem"), Files.readString(dir.resolve("ca.pem")));
        List<String> java = new ArrayList<>(List.of("bootstrap.servers=" + bootstrap));
        clientSettings().forEach((k, v) -> java.add(k + "=" + v));
        write(client.resolve("client.properties"), String.join("\n", java) + "\n");
        write(client.resolve("librdkafka.conf"), String.join("\n", List.of("bootstrap.servers=" + bootstrap,
                "security.protocol=SASL_SSL", "sasl.mechanisms=" + MECHANISM, "sasl.username=" + USER, "sasl.password=" + password,
                "ssl.ca.location=" + client.resolve("ca.pem").toAbsolutePath())) + "\n");
    }

    private static void write(Path file, String text) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Runs the JDK's keytool; returns its standard output. */
    private static String keytool(String input, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        if (input != null) p.getOutputStream().write(input.getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + err.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
