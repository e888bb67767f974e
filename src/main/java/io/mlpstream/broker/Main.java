package io.mlpstream.broker;

import io.mlpstream.cli.Bench;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * The entry point of `./mlp-stream`. Commands that need no service (bench) run without starting
 * Quarkus; `serve` starts the service.
 */
@QuarkusMain
public class Main {
    static final String USAGE = """
            usage: mlp-stream <command> [options]
              serve     run the service until SIGTERM
              bench     train in memory and print JSON lines (--help for options)
            """;

    public static void main(String... args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "bench" -> System.exit(Bench.run(rest));
            case "serve" -> Quarkus.run(rest);
            case "help", "--help", "-h" -> System.out.print(USAGE);
            default -> {
                System.err.print("unknown command: " + command + "\n" + USAGE);
                System.exit(2);
            }
        }
    }
}
