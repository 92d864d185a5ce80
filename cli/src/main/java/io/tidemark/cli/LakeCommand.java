package io.tidemark.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tidemark lake ...}: the Kafka Connect archive into Iceberg, run in its own JVM from the
 * lake module's classpath; every argument after {@code lake} goes to its own command line.
 */
@Command(
    name = "lake",
    description = {"Archive raw events into the Iceberg lake and inspect it (run, status, verify, import, maintain).",
        "All arguments are passed to the lake tool: './tidemark lake --help' lists them."})
final class LakeCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Arguments of the lake tool, e.g. run, status --json.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return LayerCommands.lake().run(global.resolved(), args.isEmpty() ? List.of("--help") : args);
  }
}
