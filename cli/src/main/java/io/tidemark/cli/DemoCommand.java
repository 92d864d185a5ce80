package io.tidemark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark demo}: the whole product on one machine, from a fresh checkout.
 *
 * <p>Today: starts the local stack, migrates, and streams sample traffic with every kind of
 * record (out-of-order, too-late, duplicate, invalid) and its ground truth. Each layer adds its
 * step here as it lands (speed layer, lake, reconciliation, dashboard).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the local stack, create topics and tables, stream sample traffic, and show what runs where.")
final class DemoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--duration", defaultValue = "60s", description = "How long to stream sample traffic (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--rate", defaultValue = "500", description = "Sample traffic rate, records/s (default: ${DEFAULT-VALUE}).")
  String rate;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CommandLine root = spec.root().commandLine();
    step(out, "1/3 Starting the local stack");
    int rc = root.execute(with("stack", "up"));
    if (rc != 0) {
      return rc;
    }
    step(out, "2/3 Creating Kafka topics and ClickHouse tables");
    rc = root.execute(with("migrate"));
    if (rc != 0) {
      return rc;
    }
    step(out, "3/3 Streaming sample traffic (" + rate + " records/s for " + duration + ")");
    rc = root.execute(with("produce", "--rate", rate, "--duration", duration, "--users", "200",
        "--pages", "30", "--out-of-order-ms", "3000", "--late-fraction", "0.01",
        "--duplicate-fraction", "0.02", "--invalid-fraction", "0.01"));
    if (rc != 0) {
      return rc;
    }
    out.println();
    out.println("The stack keeps running: './tidemark stack status' shows it, './tidemark stack down' stops it.");
    out.println("Still to come in the demo: the Flink speed layer filling ClickHouse, the Iceberg archive,");
    out.println("the nightly Spark reconciliation and the dashboard (see docs/architecture.md).");
    out.flush();
    return 0;
  }

  private String[] with(String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
    if (global.configFile != null) {
      all.add("--config");
      all.add(global.configFile.toString());
    }
    global.overrides.forEach((k, v) -> {
      all.add("-D");
      all.add(k + "=" + v);
    });
    return all.toArray(String[]::new);
  }

  private static void step(PrintWriter out, String title) {
    out.println();
    out.println("== " + title);
    out.flush();
  }
}
