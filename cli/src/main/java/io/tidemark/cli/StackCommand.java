package io.tidemark.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.LocalStack;
import io.tidemark.stack.Service;
import io.tidemark.stack.ServiceStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./tidemark stack up|down|status}: the local stack of real services. */
@Command(
    name = "stack",
    description = "Start, stop and inspect the local stack (Kafka, ClickHouse, S3-compatible store, Iceberg catalog).",
    mixinStandardHelpOptions = true,
    subcommands = {StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class})
final class StackCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static LocalStack stack(TidemarkConfig config) {
    return new LocalStack(config);
  }

  static void print(PrintWriter out, List<ServiceStatus> statuses, boolean json) {
    if (json) {
      Output.json(out, statuses);
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (ServiceStatus s : statuses) {
      rows.add(List.of(
          s.service().name().toLowerCase(java.util.Locale.ROOT),
          s.address(),
          s.managedLocally() ? "local" : "external",
          s.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
          s.pid() == null ? "-" : s.pid().toString(),
          s.detail() == null ? "" : s.detail()));
    }
    Output.table(out, List.of("SERVICE", "ADDRESS", "MODE", "STATE", "PID", "DETAIL"), rows);
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = {"Install what is missing and start every service not given as an external endpoint.",
          "Idempotent: running services are left alone; data folders are kept across down/up."})
  static final class Up implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "SERVICE",
        description = "Start only these services (${COMPLETION-CANDIDATES}).")
    Set<Service> only;

    @Option(names = "--json", description = "Print the resulting status as JSON.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      LocalStack stack = stack(global.load());
      long start = System.nanoTime();
      Set<Service> services = only == null || only.isEmpty() ? EnumSet.allOf(Service.class) : EnumSet.copyOf(only);
      List<ServiceStatus> result = stack.up(services, (service, message) -> {
        if (!json) {
          out.println((service == null ? "stack" : service.name().toLowerCase(java.util.Locale.ROOT)) + ": " + message);
          out.flush();
        }
      });
      print(out, result, json);
      if (!json) {
        out.printf("stack up took %.1f s; data in %s%n", (System.nanoTime() - start) / 1e9, stack.home());
      }
      return result.stream().allMatch(ServiceStatus::healthy) ? 0 : 3;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Stop the services the local stack started. Data is kept; 'stack up' finds it again.")
  static final class Down implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      LocalStack stack = stack(global.load());
      stack.down();
      print(out, stack.status(), false);
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show each service, its address and its health (checked with a real request). Exit code 3 when one is unhealthy.")
  static final class Status implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      List<ServiceStatus> statuses = stack(global.load()).status();
      print(spec.commandLine().getOut(), statuses, json);
      return statuses.stream().allMatch(ServiceStatus::healthy) ? 0 : 3;
    }
  }
}
