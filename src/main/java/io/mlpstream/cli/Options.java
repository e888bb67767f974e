package io.mlpstream.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** --name value pairs and --flag switches, for the launcher's commands. */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();

    Options(String[] args, String... flags) {
        List<String> switches = new ArrayList<>(List.of(flags));
        switches.add("help");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h")) a = "--help";
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + a + " (try --help)");
            String name = a.substring(2);
            int eq = name.indexOf('=');
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
}
