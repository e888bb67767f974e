package io.mlpstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * --name value pairs and --flag switches, for the launcher's commands. A command takes exactly the options its help
 * text names: one list, so that what is documented and what is accepted cannot drift apart, and a typo is refused by
 * name instead of running as if it were not there.
 */
final class Options {
    private static final Pattern OPTION = Pattern.compile("--([a-z0-9][a-z0-9-]*)");
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param help the command's help text: every {@code --name} in it is an option it takes
     * @param flags the options that take no value
     */
    Options(String[] args, String help, String... flags) {
        Set<String> known = OPTION.matcher(help).results().map(m -> m.group(1)).collect(Collectors.toSet());
        known.add("help");
        List<String> switches = new ArrayList<>(List.of(flags));
        switches.add("help");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h")) a = "--help";
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + a + " (try --help)");
            String name = a.substring(2);
            int eq = name.indexOf('=');
            String option = eq >= 0 ? name.substring(0, eq) : name;
            if (!known.contains(option)) throw new IllegalArgumentException("unknown option --" + option + " (try --help)");
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (switches.contains(name)) {
                values.put(name, "true");
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String value(String name) {
        return values.get(name);
    }

    String value(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int intValue(String name, int dflt) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : dflt;
    }

    double doubleValue(String name, double dflt) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : dflt;
    }

    /** --bootstrap, else KAFKA_BOOTSTRAP_SERVERS, else the embedded broker's default address. */
    String bootstrap() {
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        return value("bootstrap", env != null && !env.isBlank() ? env : "localhost:9092");
    }

    /**
     * A Kafka client's settings, as the Kafka tools and the service take them: every KAFKA_* variable
     * (KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config), then the file of --command-config, then --bootstrap.
     */
    Properties client() {
        Properties p = new Properties();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && !v.isBlank()) p.put(k.substring(6).toLowerCase().replace('_', '.'), v);
        });
        if (has("command-config")) {
            try (var in = Files.newInputStream(Path.of(value("command-config")))) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--command-config " + value("command-config") + " cannot be read: " + e.getMessage());
            }
        }
        p.put("bootstrap.servers", has("bootstrap") ? value("bootstrap") : p.getProperty("bootstrap.servers", "localhost:9092"));
        return p;
    }
}
