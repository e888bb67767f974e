/**
 * The launcher ({@link io.mlpstream.cli.Main}, the entry point of {@code ./mlp-stream}) and every command:
 * serve, demo, kafka, produce, tail, bench and bench-kafka. The tools depend on the service, never the reverse.
 */
package io.mlpstream.cli;
