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
    description = "Start, stop and inspect the local stack (Kafka, ClickHouse, S3-compatible store, Iceberg catalog, schema registry).",
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

    @Option(names = "--with", paramLabel = "EXTRA", description = "Also start an optional service: airflow (installs it into a project venv on first use).")
    String with;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      checkWith(with);
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
      int rc = result.stream().allMatch(ServiceStatus::healthy) ? 0 : 3;
      if ("airflow".equals(with)) {
        int airflow = airflow(global, "up");
        rc = rc != 0 ? rc : airflow;
      }
      return rc;
    }
  }

  static void checkWith(String with) {
    if (with != null && !with.equals("airflow")) {
      throw new UserFacingException("Unknown --with '" + with + "': the optional service is airflow");
    }
  }

  /** Runs the local Airflow's start/stop/status in the orchestration module's JVM. */
  static int airflow(GlobalOptions global, String action) {
    return new ChildJvm("orchestration", "io.tidemark.orchestration.stack.AirflowStackMain")
        .jvmArg("-Xmx256m")
        .run(global.resolved(), List.of(action));
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Stop the services the local stack started. Data is kept; 'stack up' finds it again.")
  static final class Down implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Option(names = "--with", paramLabel = "EXTRA", description = "Also stop an optional service: airflow.")
    String with;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      checkWith(with);
      if ("airflow".equals(with)) {
        airflow(global, "down");
      }
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

    @Option(names = "--with", paramLabel = "EXTRA", description = "Also show an optional service: airflow.")
    String with;

    @Override
    public Integer call() {
      checkWith(with);
      List<ServiceStatus> statuses = stack(global.load()).status();
      print(spec.commandLine().getOut(), statuses, json);
      spec.commandLine().getOut().flush();
      int rc = statuses.stream().allMatch(ServiceStatus::healthy) ? 0 : 3;
      if ("airflow".equals(with)) {
        int airflow = airflow(global, "status");
        rc = rc != 0 ? rc : airflow;
      }
      return rc;
    }
  }
}
