package io.tidemark.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.StackOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark demo}: the whole product on one machine, from a fresh checkout.
 *
 * <p>Starts the local stack, the speed layer, the lake archive and the dashboard; streams sample
 * traffic with every kind of record (out-of-order, too-late, duplicate, invalid) while killing the
 * speed layer once for a short outage (it restores from its checkpoint); shows the live counts;
 * reconciles today's counts against the lake, prints the drift report (what the too-late events and
 * the outage cost the speed layer) and the corrected counts the seed's query now returns.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start the local stack, speed layer, lake archive and dashboard; stream sample traffic",
        "with a short speed-layer outage; show live counts; run a reconciliation."})
final class DemoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to stream sample traffic (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--rate", defaultValue = "500", description = "Sample traffic rate, records/s (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--outage", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the speed layer is down in the middle of the stream; 0s for none (default: ${DEFAULT-VALUE}).")
  Duration outage;

  @Option(names = "--with", paramLabel = "EXTRA",
      description = "airflow: also start Airflow and run yesterday's nightly reconciliation through it.")
  String with;

  @Option(names = "--no-wait", description = "Stop the speed layer, archive and dashboard at the end instead of waiting for Ctrl-C.")
  boolean noWait;

  private final List<Process> background = new ArrayList<>();

  /** The demo's exit code: that of the nightly run through Airflow, when there is one. */
  private int demoRc;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CommandLine root = spec.root().commandLine();
    Thread cleanup = new Thread(this::stopBackground);
    Runtime.getRuntime().addShutdownHook(cleanup);
    StackCommand.checkWith(with);
    boolean airflow = "airflow".equals(with);
    step(out, "1/6 Starting the local stack" + (airflow ? " and Airflow" : ""));
    int rc = root.execute(airflow
        ? airflowStackUp(with("stack", "up", "--with", "airflow"), global.load().explicitValues(), System.getenv())
        : with("stack", "up"));
    if (rc != 0) {
      return rc;
    }
    step(out, "2/6 Creating Kafka topics and ClickHouse tables");
    rc = root.execute(with("migrate"));
    if (rc != 0) {
      return rc;
    }
    TidemarkConfig config = global.resolved();
    Path home = StackOptions.home(config);
    Path logs = home.resolve("logs");

    step(out, "3/6 Starting the speed layer (Flink), the lake archive (Kafka Connect -> Iceberg) and the dashboard");
    AtomicReference<Process> speed = new AtomicReference<>(startSpeed(config, home, logs));
    background.add(LayerCommands.lake().start(config, List.of("run"), logs.resolve("demo-lake.log")));
    background.add(LayerCommands.serving().start(config, List.of(), logs.resolve("demo-serve.log")));
    String dashboard = dashboardUrl(config.explicitValues(), System.getenv());
    out.printf("  dashboard: %s  (watch the live chart while the traffic streams)%n", dashboard);
    out.printf("  logs: %s/demo-{speed,lake,serve}.log%n", logs);
    out.flush();
    waitForSpeedLayer(out, speed.get(), port(config.explicitValues(), System.getenv(), SPEED_WEB_UI_PORT_KEY, 8081));

    step(out, "4/6 Streaming sample traffic (" + rate + " records/s for " + fmt(duration)
        + (outage.isZero() ? ")" : ", with a " + fmt(outage) + " speed-layer outage halfway)"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    if (!outage.isZero()) {
      long half = duration.toMillis() / 2;
      timer.schedule(() -> {
        out.printf("%n  !! killing the speed layer (kill -9) for %s%n", fmt(outage));
        out.flush();
        speed.get().destroyForcibly();
      }, half, TimeUnit.MILLISECONDS);
      timer.schedule(() -> {
        out.printf("%n  !! restarting the speed layer the plain way (./tidemark speed run): it resumes from its newest"
            + " checkpoint%n");
        out.flush();
        Process p = startSpeed(config, home, logs);
        speed.set(p);
        background.add(p);
      }, half + outage.toMillis(), TimeUnit.MILLISECONDS);
    }
    rc = root.execute(with("produce", "--rate", Integer.toString(rate), "--duration", duration.toMillis() + "ms",
        "--users", "200", "--pages", "30", "--out-of-order-ms", "3000", "--late-fraction", "0.01",
        "--duplicate-fraction", "0.02", "--invalid-fraction", "0.01"));
    timer.shutdown();
    timer.awaitTermination(outage.toSeconds() + 5, TimeUnit.SECONDS);
    if (rc != 0) {
      return rc;
    }
    String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    if (airflow) {
      out.println();
      out.println("  also sending 2,000 events of yesterday evening: far too late for the speed layer (they go to");
      out.println("  the late topic), but archived in the lake, so yesterday's nightly reconciliation will count them");
      out.flush();
      rc = root.execute(with("produce", "--rate", "200", "--duration", "10s", "--users", "50", "--pages", "10",
          "--start-time", yesterday + "T23:50:00Z", "--seed", "7"));
      if (rc != 0) {
        return rc;
      }
    }

    step(out, "5/6 Live counts in ClickHouse (the seed's query) and the lake archive");
    out.println("  waiting 20 s for the watermark to close the last windows and the lake to commit...");
    out.flush();
    Thread.sleep(20_000);
    printTopUsers(out, config);
    root.execute(with("lake", "status"));

    if (airflow) {
      step(out, "6/6 Yesterday's nightly reconciliation through Airflow (tidemark_nightly: archive caught up, batch, reconcile, drift check)");
      // Paused DAGs do not run even triggered runs, so the DAG is unpaused for this one run. The
      // Airflow started above creates no scheduled runs (see airflowStackUp), so unpausing does not
      // also start the scheduled run of the latest interval, which would process yesterday twice.
      root.execute(with("schedule", "unpause", "--dag", "tidemark_nightly"));
      int nightly = root.execute(with("schedule", "trigger", "--date", yesterday, "--wait"));
      root.execute(with("schedule", "pause", "--dag", "tidemark_nightly"));
      // Yesterday's events were all too late for the speed layer, so its drift is far above the
      // alert threshold and check_drift fails the run once reconcile has corrected ClickHouse: the
      // alert working. The demo failed only when no drift report was stored.
      int report = root.execute(with("drift", "--date", yesterday, "--details"));
      if (nightly != 0) {
        out.printf("  tidemark_nightly for %s ended failed; the task line above says why (a failed check_drift is"
            + " the drift alert). Task logs: the Airflow UI, or %s/airflow/logs/dag_id=tidemark_nightly/%n",
            yesterday, home);
        demoRc = report == 0 ? 0 : nightly;
      }
      out.println("Airflow UI: " + airflowUrl(config.explicitValues(), System.getenv()) + "/");
    } else {
      step(out, "6/6 Reconciling today against the lake (forced: today is still inside the lateness horizon)");
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      long before = servedTotal(config, today);
      root.execute(with("batch", "run", "--date", today));
      out.println();
      out.println("  Drift report (batch vs what the speed layer wrote), then the day is replaced:");
      out.flush();
      if (root.execute(with("reconcile", "--date", today, "--force")) == 0) {
        printCorrections(out, config, today, before);
      }
    }

    out.println();
    out.printf("Dashboard: %s   (drift audit: %s#/drift)%n", dashboard, dashboard);
    out.printf("Flink web UI: http://localhost:%d/   Stack: ./tidemark stack status%n",
        port(config.explicitValues(), System.getenv(), SPEED_WEB_UI_PORT_KEY, 8081));
    if (noWait) {
      stopBackground();
      return demoRc;
    }
    out.println("Press Ctrl-C to stop the speed layer, the archive and the dashboard (the stack keeps running;");
    out.println("'./tidemark stack down' stops it).");
    out.flush();
    for (Process p : List.copyOf(background)) {
      p.waitFor();
    }
    return demoRc;
  }

  /** Keys declared in OrchestrationOptions, read by name for the Airflow URL the demo prints. */
  static final String AIRFLOW_URL_KEY = "tidemark.orchestration.airflow-url";
  static final String AIRFLOW_PORT_KEY = "tidemark.orchestration.api-port";

  /**
   * The Airflow the schedule commands talk to: the configured URL, else the local one on its port;
   * the environment first, like {@link #dashboardUrl}.
   */
  static String airflowUrl(Map<String, String> explicit, Map<String, String> env) {
    String url = value(explicit, env, AIRFLOW_URL_KEY);
    if (url != null && !url.isBlank()) {
      return url.replaceAll("/+$", "");
    }
    return "http://127.0.0.1:" + port(explicit, env, AIRFLOW_PORT_KEY, 18080);
  }

  /**
   * Keys declared in ServingOptions and SpeedOptions, whose modules the CLI does not load (each
   * layer runs in its own JVM); their defaults are repeated here only for the URLs printed.
   */
  static final String SERVING_HOST_KEY = "tidemark.serving.host";
  static final String SERVING_PORT_KEY = "tidemark.serving.port";
  static final String SPEED_WEB_UI_PORT_KEY = "tidemark.speed.web-ui-port";

  /**
   * The URL the demo's dashboard serves on, as its JVM resolves it: that JVM reads the resolved
   * configuration file (file and -D values) and then, over it, the environment it inherits, so an
   * environment variable wins here too. A wildcard host is shown as 127.0.0.1.
   */
  static String dashboardUrl(Map<String, String> explicit, Map<String, String> env) {
    String host = value(explicit, env, SERVING_HOST_KEY);
    if (host == null || host.isBlank() || host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    }
    return "http://" + host + ":" + port(explicit, env, SERVING_PORT_KEY, 8088) + "/";
  }

  static int port(Map<String, String> explicit, Map<String, String> env, String key, int defaultPort) {
    String value = value(explicit, env, key);
    return value == null || value.isBlank() ? defaultPort : Integer.parseInt(value.trim());
  }

  private static String value(Map<String, String> explicit, Map<String, String> env, String key) {
    String fromEnv = env.get(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
    return fromEnv != null ? fromEnv : explicit.get(key);
  }

  /**
   * Starts the speed layer the plain way a user would: it resumes from its newest completed
   * checkpoint (a demo run again on the same stack continues where the last one stopped), and the
   * restart after the kill below proves that this default loses nothing.
   */
  private Process startSpeed(TidemarkConfig config, Path home, Path logs) {
    List<String> args = List.of("run", "--checkpoint-dir", home.resolve("speed-layer/checkpoints").toString());
    Process p = LayerCommands.speedLayer(config).start(config, args, logs.resolve("demo-speed.log"));
    background.add(p);
    return p;
  }

  /**
   * Waits until the Flink job reports RUNNING on its web UI, so the traffic that follows is
   * counted live (the job would catch up from committed offsets anyway, but the demo is about
   * watching it happen).
   */
  private static void waitForSpeedLayer(PrintWriter out, Process speed, int webUiPort) throws InterruptedException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.URI uri = java.net.URI.create("http://localhost:" + webUiPort + "/jobs/overview");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!speed.isAlive()) {
        throw new UserFacingException("The speed layer stopped during start-up: see .tidemark/logs/demo-speed.log");
      }
      try {
        String body = http.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        if (body.contains("\"state\":\"RUNNING\"")) {
          out.printf("  speed layer running (Flink web UI: http://localhost:%d/)%n", webUiPort);
          out.flush();
          Thread.sleep(5_000);
          return;
        }
      } catch (java.io.IOException e) {
        // web UI not up yet
      }
      Thread.sleep(1_000);
    }
    throw new UserFacingException("The speed layer did not start within 180 s: see .tidemark/logs/demo-speed.log");
  }

  private void printTopUsers(PrintWriter out, TidemarkConfig config) {
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      List<Map<String, String>> rows = sql.queryRows(
          "SELECT user_id, window_start, count FROM {db:Identifier}.user_page_counts "
              + "ORDER BY window_start DESC, count DESC, user_id LIMIT 8",
          Map.of("db", config.get(io.tidemark.core.config.ClickHouseOptions.DATABASE)));
      List<List<String>> table = new ArrayList<>();
      rows.forEach(r -> table.add(List.of(r.get("user_id"), r.get("window_start"), r.get("count"))));
      out.println("  SELECT user_id, window_start, count FROM user_page_counts  (newest windows first)");
      Output.table(out, List.of("  user_id", "window_start", "count"), indent(table));
    } catch (RuntimeException e) {
      out.println("  (could not query ClickHouse: " + e.getMessage() + ")");
    }
    out.flush();
  }

  private static long servedTotal(TidemarkConfig config, String day) {
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      return sql.queryLong("SELECT sum(count) AS n FROM {t:Identifier} WHERE toDate(window_start) = {d:Date}",
          Map.of("t", sql.database() + ".user_page_counts", "d", LocalDate.parse(day)));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * The corrected counts after reconciling: the day's served total before and after, and the cells
   * with the largest corrections as the seed's query now returns them (read back, not taken from the
   * report).
   */
  private void printCorrections(PrintWriter out, TidemarkConfig config, String day, long before) {
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      String db = sql.database();
      LocalDate d = LocalDate.parse(day);
      out.println();
      out.printf("  Corrected counts: today's events in user_page_counts %,d before reconciling, %,d now%n",
          before, servedTotal(config, day));
      List<Map<String, String>> cells = sql.queryRows(
          "SELECT key, toString(window_start) AS w, speed_count, batch_count, cause FROM {k:Identifier}"
              + " WHERE day = {d:Date} AND metric = 'user_page_counts' AND run_id IN (SELECT run_id FROM {r:Identifier}"
              + " WHERE day = {d:Date} ORDER BY started_at DESC, run_id DESC LIMIT 1)"
              + " ORDER BY abs(diff) DESC, key, window_start LIMIT 8",
          Map.of("k", db + ".drift_report_keys", "r", db + ".drift_reports", "d", d));
      if (cells.isEmpty()) {
        out.println("  (no cell differed: the speed layer's counts were already right)");
        out.flush();
        return;
      }
      List<List<String>> table = new ArrayList<>();
      for (Map<String, String> c : cells) {
        List<Map<String, String>> now = sql.queryRows(
            "SELECT count AS c FROM {t:Identifier} WHERE user_id = {u:String} AND window_start = {w:DateTime}",
            Map.of("t", db + ".user_page_counts", "u", c.get("key"),
                "w", java.time.LocalDateTime.parse(c.get("w").replace(' ', 'T')).toInstant(ZoneOffset.UTC)));
        table.add(List.of("  " + c.get("key"), c.get("w"), c.get("speed_count"),
            now.isEmpty() ? "-" : now.get(0).get("c"), c.get("cause")));
      }
      out.println("  SELECT user_id, window_start, count FROM user_page_counts  (largest corrections)");
      Output.table(out, List.of("  user_id", "window_start", "speed layer", "now (batch)", "cause"), table);
    } catch (RuntimeException e) {
      out.println("  (could not query ClickHouse: " + e.getMessage() + ")");
    }
    out.flush();
  }

  private static List<List<String>> indent(List<List<String>> rows) {
    List<List<String>> out = new ArrayList<>();
    rows.forEach(r -> {
      List<String> c = new ArrayList<>(r);
      c.set(0, "  " + c.get(0));
      out.add(c);
    });
    return out;
  }

  private synchronized void stopBackground() {
    for (Process p : background) {
      p.destroy();
    }
    for (Process p : background) {
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String fmt(Duration d) {
    return io.tidemark.core.config.Durations.format(d);
  }

  /** {@code OrchestrationOptions.SCHEDULED_RUNS}, named here because the CLI never loads orchestration's classes. */
  static final String SCHEDULED_RUNS_KEY = "tidemark.orchestration.scheduled-runs";

  /** The environment variable of {@link #SCHEDULED_RUNS_KEY}. */
  static final String SCHEDULED_RUNS_ENV = "TIDEMARK_ORCHESTRATION_SCHEDULED_RUNS";

  /**
   * The arguments of {@code stack up --with airflow} for the demo: unless scheduled runs are
   * configured (file, {@code -D} or environment), the demo's Airflow runs only triggered runs
   * ({@code tidemark.orchestration.scheduled-runs=false}). The demo must unpause {@code
   * tidemark_nightly} for its triggered run of yesterday to start, and with scheduled runs on,
   * unpausing also makes Airflow run the latest complete interval at once: yesterday processed
   * twice, and the triggered run queued behind the scheduled one. An Airflow already running keeps
   * the setting it was started with.
   */
  static String[] airflowStackUp(String[] stackUp, Map<String, String> explicit, Map<String, String> env) {
    if (explicit.containsKey(SCHEDULED_RUNS_KEY) || env.containsKey(SCHEDULED_RUNS_ENV)) {
      return stackUp;
    }
    List<String> all = new ArrayList<>(List.of(stackUp));
    all.add("-D");
    all.add(SCHEDULED_RUNS_KEY + "=false");
    return all.toArray(String[]::new);
  }

  private String[] with(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (global.configFile != null) {
      all.add("--config");
      all.add(global.configFile.toString());
    }
    Map<String, String> o = new LinkedHashMap<>(global.overrides);
    o.forEach((k, v) -> {
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
