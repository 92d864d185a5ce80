package io.tidemark.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tidemark speed ...}: the Flink speed layer, run in its own JVM from the speed-layer
 * module's classpath; every argument after {@code speed} goes to its own command line.
 */
@Command(
    name = "speed",
    description = {"Run the Flink speed layer (Kafka -> 1-minute counts -> ClickHouse).",
        "All arguments are passed to the speed layer: './tidemark speed --help' lists them."})
final class SpeedCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Arguments of the speed layer, e.g. run, --help.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return LayerCommands.speedLayer().run(global.resolved(), args.isEmpty() ? List.of("--help") : args);
  }
}
