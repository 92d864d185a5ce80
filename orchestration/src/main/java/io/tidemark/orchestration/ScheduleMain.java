package io.tidemark.orchestration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.client.AirflowClient;
import io.tidemark.orchestration.client.AirflowException;
import io.tidemark.orchestration.client.DagInfo;
import io.tidemark.orchestration.client.DagRun;
import io.tidemark.orchestration.client.TaskInstance;
import io.tidemark.orchestration.stack.AirflowStack;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tidemark schedule}: the Tidemark DAGs in Airflow, driven through its REST API.
 *
 * <p>Exit codes: 0 success; 1 a run ended {@code failed} or Airflow refused the request
 * (unreachable, bad credentials, unknown DAG, run exists); 2 invalid command line or configuration
 * (dates, range, a malformed DAG id or Airflow URL). Every error is one line on stderr.
 */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description = "Trigger and watch the Tidemark DAGs in Airflow (REST API v2).",
    subcommands = {
      ScheduleMain.Status.class,
      ScheduleMain.Trigger.class,
      ScheduleMain.Backfill.class,
      ScheduleMain.Runs.class,
      ScheduleMain.Pause.class,
      ScheduleMain.Unpause.class
    })
public final class ScheduleMain implements Callable<Integer> {
  public static final String NIGHTLY = "tidemark_nightly";
  public static final String BACKFILL = "tidemark_backfill";

  private final Function<TidemarkConfig, AirflowClient> clients;
  private final TidemarkConfig config;
  PrintStream out = System.out;
  PrintStream err = System.err;
  java.time.Clock clock = java.time.Clock.systemUTC();

  @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT, description = "Print JSON instead of a table.")
  boolean json;

  /** For the CLI: configuration from the usual sources, the Airflow it names. */
  public ScheduleMain() {
    this(loadConfig(), AirflowClient::fromConfig);
  }

  public ScheduleMain(TidemarkConfig config, Function<TidemarkConfig, AirflowClient> clients) {
    this.config = config;
    this.clients = clients;
  }

  /** Every option this command reads. */
  public static List<ConfigOption<?>> knownOptions() {
    return OrchestrationOptions.all();
  }

  static TidemarkConfig loadConfig() {
    return TidemarkConfig.load(null, System.getenv(), Map.of(), knownOptions()).validate(knownOptions());
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs {@code schedule <args>} and returns the exit code. */
  public static int run(String... args) {
    ScheduleMain main;
    try {
      main = new ScheduleMain();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    return main.commandLine().execute(args);
  }

  /** The picocli command line, with one-line errors and Tidemark's exit codes. */
  public CommandLine commandLine() {
    CommandLine cl = new CommandLine(this);
    cl.getCommandSpec().usageMessage().footer(io.tidemark.core.cli.SettingsHelp.prepend(
        OrchestrationOptions.all(), cl.getCommandSpec().usageMessage().footer()));
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof AirflowException ae && ae.kind() == AirflowException.Kind.INVALID_REQUEST && ae.status() == 0) {
            err.println(e.getMessage()); // refused before any request: the command line was wrong
            return 2;
          }
          if (e instanceof ConfigException) {
            err.println(e.getMessage());
            return 2;
          }
          if (e instanceof AirflowException) {
            err.println(e.getMessage());
            return 1;
          }
          if (e instanceof IllegalArgumentException) {
            err.println(e.getMessage());
            return 2;
          }
          throw e;
        });
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return cl;
  }

  @Override
  public Integer call() {
    commandLine().usage(out);
    return 0;
  }

  AirflowClient client() {
    return clients.apply(config);
  }

  Duration pollInterval() {
    return config.get(OrchestrationOptions.POLL_INTERVAL);
  }

  static LocalDate parseDate(String option, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("Invalid " + option + " '" + value + "': expected a UTC day as YYYY-MM-DD");
    }
  }

  /** A day can only be processed once it has ended in UTC (reconcile also waits for the lateness horizon). */
  void requireEnded(String option, LocalDate day) {
    LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
    if (!day.isBefore(today)) {
      throw new IllegalArgumentException(
          "Invalid " + option + " " + day + ": the UTC day has not ended yet (today is " + today + ")");
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  void printJson(Object value) {
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void printRuns(List<DagRun> runs) {
    if (json) {
      printJson(runs);
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"DAG", "LOGICAL DATE", "STATE", "STARTED", "ENDED", "RUN ID"});
    for (DagRun r : runs) {
      rows.add(new String[] {r.dagId(), day(r.logicalDate()), r.state(), time(r.startDate()), time(r.endDate()), r.runId()});
    }
    printTable(rows);
  }

  void printTable(List<String[]> rows) {
    int[] w = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        w[i] = Math.max(w[i], String.valueOf(row[i]).length());
      }
    }
    for (String[] row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String cell = String.valueOf(row[i]);
        b.append(i == row.length - 1 ? cell : String.format("%-" + (w[i] + 2) + "s", cell));
      }
      out.println(b.toString().stripTrailing());
    }
  }

  private static String day(Instant t) {
    return t == null ? "-" : t.toString().substring(0, 10);
  }

  private static String time(Instant t) {
    return t == null ? "-" : t.toString().replaceAll("\\.\\d+Z$", "Z");
  }

  /**
   * Follows a run until it ends, printing a line whenever its or a task's state changes.
   *
   * @return 0 when it succeeded, 1 when it failed
   */
  int follow(AirflowClient client, DagRun run) {
    Map<String, String> seen = new LinkedHashMap<>();
    DagRun current = run;
    String lastRunState = null;
    while (true) {
      current = client.run(run.dagId(), run.runId());
      if (!current.state().equals(lastRunState)) {
        err.println(run.dagId() + " " + run.runId() + ": " + current.state());
        lastRunState = current.state();
      }
      for (TaskInstance ti : client.taskInstances(run.dagId(), run.runId())) {
        String name = ti.mapIndex() < 0 ? ti.taskId() : ti.taskId() + "[" + ti.mapIndex() + "]";
        String state = ti.state() == null ? "scheduled" : ti.state();
        if (!state.equals(seen.put(name, state))) {
          String why = "failed".equals(state) || "up_for_retry".equals(state) ? failure(client, run, ti) : "";
          err.println("  " + name + ": " + state + (ti.tryNumber() > 1 ? " (try " + ti.tryNumber() + ")" : "") + why);
        }
      }
      if (current.finished()) {
        break;
      }
      try {
        Thread.sleep(pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    printRuns(List.of(current));
    return "success".equals(current.state()) ? 0 : 1;
  }

  /** " - <the task's exception>" from its log, or nothing when the log cannot say. */
  private static String failure(AirflowClient client, DagRun run, TaskInstance ti) {
    try {
      return client.taskFailure(run.dagId(), run.runId(), ti).map(f -> " - " + f).orElse("");
    } catch (AirflowException e) {
      return ""; // the state line is the news; a missing log must not end the wait
    }
  }

  void warnIfPaused(AirflowClient client, String dagId) {
    if (client.dag(dagId).paused()) {
      err.println("DAG " + dagId + " is paused: the run stays queued until `tidemark schedule unpause --dag " + dagId + "`");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Airflow's health and the Tidemark DAGs with their last run.")
  static final class Status implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Override
    public Integer call() {
      AirflowClient client = parent.client();
      Map<String, String> health = client.health();
      List<Map<String, Object>> dags = new ArrayList<>();
      for (DagInfo d : client.dags()) {
        if (!AirflowStack.TIDEMARK_DAGS.contains(d.dagId())) {
          continue;
        }
        List<DagRun> last = client.runs(d.dagId(), 1);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dagId", d.dagId());
        m.put("paused", d.paused());
        m.put("schedule", d.schedule());
        m.put("nextLogicalDate", d.nextLogicalDate());
        m.put("lastRun", last.isEmpty() ? null : last.get(0));
        dags.add(m);
      }
      int errors = client.importErrors().size();
      if (parent.json) {
        parent.printJson(Map.of("url", client.baseUrl(), "health", health, "importErrors", errors, "dags", dags));
        return 0;
      }
      parent.out.println("Airflow " + client.baseUrl() + ": "
          + health.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))
          + (errors == 0 ? "" : "; " + errors + " DAG file(s) with import errors"));
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"DAG", "PAUSED", "LAST RUN", "STATE", "SCHEDULE"});
      for (Map<String, Object> m : dags) {
        DagRun r = (DagRun) m.get("lastRun");
        rows.add(new String[] {
          (String) m.get("dagId"), String.valueOf(m.get("paused")),
          r == null ? "-" : day(r.logicalDate()), r == null ? "-" : r.state(), String.valueOf(m.get("schedule"))
        });
      }
      parent.printTable(rows);
      return 0;
    }
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true, description = "Run the nightly batch + reconcile for one UTC day now.")
  static final class Trigger implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "UTC day to process (the run's logical date).")
    String date;

    @Option(names = "--dag", defaultValue = NIGHTLY, description = "DAG to trigger (default: ${DEFAULT-VALUE}).")
    String dagId;

    @Option(names = "--wait", description = "Follow the run to its end; exit 1 when it fails.")
    boolean await;

    @Override
    public Integer call() {
      LocalDate day = parseDate("--date", date);
      parent.requireEnded("--date", day);
      AirflowClient client = parent.client();
      parent.warnIfPaused(client, dagId);
      DagRun run = client.trigger(dagId, day, Map.of());
      if (await) {
        return parent.follow(client, run);
      }
      parent.printRuns(List.of(run));
      return 0;
    }
  }

  @Command(name = "backfill", mixinStandardHelpOptions = true,
      description = "Batch + reconcile every UTC day of a range through tidemark_backfill, a day per task instance.")
  static final class Backfill implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First UTC day.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last UTC day, included.")
    String to;

    @Option(names = "--wait", description = "Follow the run to its end; exit 1 when it fails.")
    boolean await;

    @Override
    public Integer call() {
      LocalDate first = parseDate("--from", from);
      LocalDate last = parseDate("--to", to);
      if (last.isBefore(first)) {
        throw new IllegalArgumentException("Invalid range: --to " + last + " is before --from " + first);
      }
      parent.requireEnded("--to", last);
      AirflowClient client = parent.client();
      parent.warnIfPaused(client, BACKFILL);
      DagRun run = client.trigger(BACKFILL, null, Map.of("from", first.toString(), "to", last.toString()));
      if (await) {
        return parent.follow(client, run);
      }
      parent.printRuns(List.of(run));
      return 0;
    }
  }

  @Command(name = "runs", mixinStandardHelpOptions = true, description = "Recent runs, newest first.")
  static final class Runs implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Option(names = "--dag", description = "Only this DAG (default: the Tidemark DAGs).")
    String dagId;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      AirflowClient client = parent.client();
      List<DagRun> runs;
      if (dagId != null) {
        runs = client.runs(dagId, limit);
      } else {
        runs = new ArrayList<>(client.runs(null, Math.max(limit * 5, 100)).stream()
            .filter(r -> AirflowStack.TIDEMARK_DAGS.contains(r.dagId())).limit(limit).toList());
      }
      parent.printRuns(runs);
      return 0;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop scheduling a DAG (default: all Tidemark DAGs).")
  static final class Pause implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Option(names = "--dag", description = "Only this DAG.")
    String dagId;

    @Override
    public Integer call() {
      return parent.setPaused(dagId, true);
    }
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Resume scheduling a DAG (default: all Tidemark DAGs).")
  static final class Unpause implements Callable<Integer> {
    @ParentCommand ScheduleMain parent;

    @Option(names = "--dag", description = "Only this DAG.")
    String dagId;

    @Override
    public Integer call() {
      return parent.setPaused(dagId, false);
    }
  }

  int setPaused(String dagId, boolean paused) {
    AirflowClient client = client();
    List<DagInfo> result = new ArrayList<>();
    for (String id : dagId == null ? AirflowStack.TIDEMARK_DAGS : List.of(dagId)) {
      result.add(client.setPaused(id, paused));
    }
    if (json) {
      printJson(result);
    } else {
      result.forEach(d -> out.println(d.dagId() + ": " + (d.paused() ? "paused" : "unpaused")));
    }
    return 0;
  }
}
