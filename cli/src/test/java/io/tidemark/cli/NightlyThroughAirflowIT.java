package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratedRecord;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficPlan;
import io.tidemark.orchestration.OrchestrationOptions;
import io.tidemark.orchestration.client.AirflowClient;
import io.tidemark.orchestration.client.DagRun;
import io.tidemark.orchestration.client.TaskInstance;
import io.tidemark.orchestration.stack.AirflowStack;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.stack.Service;
import io.tidemark.stack.StackOptions;
import io.tidemark.testsupport.TestServices;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 8's end-to-end check: the DAGs run the real Tidemark CLI ({@code <project>/tidemark},
 * real Spark, real ClickHouse, real Iceberg lake) from a real Airflow 3, driven only through the
 * Java client, and leave exactly the generator's ground truth in ClickHouse.
 *
 * <p>Lives in the CLI module because its tasks need the built launcher and every layer's {@code
 * target/classpath.txt} (the pom's test-scoped layer dependencies put them before this module in
 * the reactor). Day D is two days ago, so it is settled whatever the time of day, and D-1 is
 * untouched until the backfill. Events go into the lake with {@code lake import}; ClickHouse holds
 * the speed layer's view of D beforehand: every on-time event, none of the too-late ones, and one
 * window over-counted, so reconciliation has drift to measure and to correct.
 *
 * <p>The local Airflow runs with {@link OrchestrationOptions#SCHEDULED_RUNS} off: with it on,
 * unpausing {@code tidemark_nightly} creates the scheduled run for yesterday, which Airflow starts
 * before the triggered one (it is due earlier), and whose empty day keeps failing and retrying for
 * 15 minutes while {@code max_active_runs=1} holds the triggered run queued.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyThroughAirflowIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate DAY = LocalDate.now(ZoneOffset.UTC).minusDays(2);
  private static final LocalDate DAY_BEFORE = DAY.minusDays(1);
  private static final long OVER_COUNT = 3;

  /** Under target/, not a @TempDir, so that Airflow's task logs outlive a failed run. */
  Path tmp;

  Path root;
  TidemarkConfig cfg;
  Path configFile;
  ClickHouseSql sql;
  AirflowStack airflow;
  AirflowClient client;
  Instant started;
  final Map<LocalDate, GroundTruth> truth = new HashMap<>();
  String nightlyReportRunId;

  @BeforeAll
  void setUp() throws Exception {
    started = Instant.now();
    root = StackOptions.projectRoot(System.getenv(), Path.of(""));
    tmp = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "nightly-airflow-it-");
    cfg = TestServices.get(Service.CLICKHOUSE, Service.S3, Service.CATALOG).config();
    configFile = writePrivateProperties(tmp.resolve("tidemark.properties"), cfg.explicitValues());
    sql = ClickHouseClients.connect(cfg);
    new SchemaMigrator(sql).migrate();

    Path dayFile = writeTraffic(DAY, 11, tmp.resolve("day.jsonl"));
    Path dayBeforeFile = writeTraffic(DAY_BEFORE, 12, tmp.resolve("day-before.jsonl"));
    Run imported = tidemark(Duration.ofMinutes(3), "lake", "import", "--json", dayFile.toString(), dayBeforeFile.toString());
    assertThat(imported.exit()).as(imported.err()).isZero();
    String out = imported.out();
    JsonNode files = JSON.readTree(out.substring(out.startsWith("[") ? 0 : out.lastIndexOf("\n[") + 1));
    assertThat(files.findValues("rows")).extracting(JsonNode::asLong)
        .containsExactly(truth.get(DAY).produced(), truth.get(DAY_BEFORE).produced());
    writeSpeedLayerView();
    System.err.printf("NightlyThroughAirflowIT: services, %d + %d events in the lake, speed view of %s after %.1f s%n",
        truth.get(DAY).produced(), truth.get(DAY_BEFORE).produced(), DAY, seconds(started));

    airflow = new AirflowStack(TidemarkConfig.of(airflowConfig()));
    // Backstop for a JVM ended by failsafe's fork timeout, where @AfterAll never runs.
    Runtime.getRuntime().addShutdownHook(new Thread(airflow::stop, "stop-airflow"));
    airflow.start(System.err::println);
    airflow.awaitDags(AirflowStack.TIDEMARK_DAGS, Duration.ofSeconds(120));
    client = airflow.client();
    // Tasks run the real launcher with this test's services and never rebuild the project.
    client.setVariable("tidemark_env", JSON.writeValueAsString(Map.of(
        "TIDEMARK_CONFIG", configFile.toString(), "TIDEMARK_SKIP_BUILD", "1")));
    // This lake is filled by `lake import` and no Kafka runs: the archive gate is switched off, as
    // docs/operations.md tells such deployments to (AirflowIT runs the gate; ArchiveIT tests it).
    client.setVariable("tidemark_lake_await", "off");
    System.err.printf("NightlyThroughAirflowIT: Airflow healthy with the DAGs loaded after %.1f s%n", seconds(started));
  }

  private Map<String, String> airflowConfig() throws IOException {
    Map<String, String> c = new HashMap<>();
    c.put(OrchestrationOptions.AIRFLOW_HOME.key(), tmp.resolve("airflow").toString());
    c.put(OrchestrationOptions.API_PORT.key(), Integer.toString(freePort()));
    c.put(OrchestrationOptions.TIDEMARK_CLI.key(), root.resolve("tidemark").toString());
    c.put(OrchestrationOptions.AIRFLOW_PASSWORD.key(), "it-secret");
    c.put(OrchestrationOptions.SCHEDULED_RUNS.key(), "false");
    // The project's cached venv (TestServices puts the stack home under target/, where a venv
    // would be installed afresh on every clean build); TIDEMARK_ORCHESTRATION_VENV_DIR overrides.
    c.put(OrchestrationOptions.VENV_DIR.key(), AirflowStack.testVenv(System.getenv(), root).toString());
    return c;
  }

  @AfterAll
  void tearDown() {
    try {
      if (airflow != null) {
        airflow.stop();
        assertThat(airflow.status().pids()).isEmpty();
      }
    } finally {
      if (sql != null) {
        sql.close();
      }
      System.err.printf("NightlyThroughAirflowIT: %.1f s in all%n", seconds(started));
    }
  }

  @Test
  @Order(1)
  void nightlyTriggeredForADayReconcilesItToTheGroundTruthAndStoresTheDriftReport() throws Exception {
    Instant t0 = Instant.now();
    client.setPaused("tidemark_nightly", false);
    DagRun run = client.trigger("tidemark_nightly", DAY, Map.of());
    DagRun done = awaitEnd(run, Duration.ofMinutes(6));
    client.setPaused("tidemark_nightly", true);
    System.err.printf("NightlyThroughAirflowIT: tidemark_nightly for %s %s after %.1f s%n", DAY, done.state(), seconds(t0));

    assertThat(done.state()).as(describe(done)).isEqualTo("success");
    assertThat(client.taskInstances("tidemark_nightly", run.runId()))
        .extracting(TaskInstance::taskId, TaskInstance::state)
        .containsExactlyInAnyOrder(Tuple.tuple("lake_archived", "success"), Tuple.tuple("batch", "success"),
            Tuple.tuple("reconcile", "success"), Tuple.tuple("check_drift", "success"));
    for (CountMetric m : CountMetric.values()) {
      assertThat(served(m, DAY)).as(m.servingTable() + " of " + DAY).isEqualTo(expected(m, DAY));
    }

    GroundTruth t = truth.get(DAY);
    long tooLate = total(ofDay(t.tooLateCounts(CountMetric.USER), DAY));
    assertThat(tooLate).isPositive();
    long batchTotal = total(expected(CountMetric.USER, DAY));
    List<Map<String, String>> reports = sql.queryRows(
        "SELECT run_id, outcome, drifted, batch_total, speed_total, abs_drift, relative_drift, too_late_events,"
            + " not_streamed_events, missing_events, over_counted_events FROM {t:Identifier} WHERE day = {day:Date}",
        Map.of("t", sql.database() + ".drift_reports", "day", DAY));
    assertThat(reports).hasSize(1);
    Map<String, String> report = reports.get(0);
    nightlyReportRunId = report.get("run_id");
    // Imported lines never went through Kafka, so the batch layer attributes the speed layer's
    // shortfall (the too-late events) to "not streamed"; the surplus is the over-counted window.
    assertThat(report).containsEntry("outcome", "replaced").containsEntry("drifted", "1")
        .containsEntry("batch_total", Long.toString(batchTotal))
        .containsEntry("speed_total", Long.toString(batchTotal - tooLate + OVER_COUNT))
        .containsEntry("abs_drift", Long.toString(tooLate + OVER_COUNT))
        .containsEntry("not_streamed_events", Long.toString(tooLate))
        .containsEntry("over_counted_events", Long.toString(OVER_COUNT))
        .containsEntry("too_late_events", "0")
        .containsEntry("missing_events", "0");
    assertThat(Double.parseDouble(report.get("relative_drift")))
        .isCloseTo((double) (tooLate + OVER_COUNT) / batchTotal, org.assertj.core.data.Offset.offset(1e-9));
    List<Map<String, String>> metrics = sql.queryRows(
        "SELECT metric, batch_total, speed_total, abs_drift, replaced FROM {t:Identifier}"
            + " WHERE run_id = {run:String} ORDER BY metric",
        Map.of("t", sql.database() + ".drift_report_metrics", "run", nightlyReportRunId));
    assertThat(metrics).extracting(r -> r.get("metric"), r -> r.get("batch_total"), r -> r.get("abs_drift"), r -> r.get("replaced"))
        .containsExactly(
            Tuple.tuple("page_view_counts", Long.toString(batchTotal), Long.toString(tooLate + OVER_COUNT), "1"),
            Tuple.tuple("user_page_counts", Long.toString(batchTotal), Long.toString(tooLate + OVER_COUNT), "1"));
    assertThat(dayStatus(DAY)).containsEntry("status", "reconciled").containsEntry("run_id", nightlyReportRunId);
  }

  @Test
  @Order(2)
  void backfillOverTwoDaysReconcilesTheMissingDayAndSkipsTheReconciledOne() throws Exception {
    Instant t0 = Instant.now();
    assertThat(dayStatus(DAY_BEFORE)).as("no status row: speed-only").isEmpty();
    client.setPaused("tidemark_backfill", false);
    DagRun run = client.trigger("tidemark_backfill", null, Map.of("from", DAY_BEFORE.toString(), "to", DAY.toString()));
    DagRun done = awaitEnd(run, Duration.ofMinutes(6));
    client.setPaused("tidemark_backfill", true);
    System.err.printf("NightlyThroughAirflowIT: tidemark_backfill %s..%s %s after %.1f s%n", DAY_BEFORE, DAY, done.state(), seconds(t0));

    assertThat(done.state()).as(describe(done)).isEqualTo("success");
    assertThat(client.taskInstances("tidemark_backfill", run.runId()))
        .filteredOn(ti -> ti.taskId().equals("backfill_day"))
        .extracting(TaskInstance::mapIndex, TaskInstance::state)
        .containsExactlyInAnyOrder(Tuple.tuple(0, "success"), Tuple.tuple(1, "success"));
    for (LocalDate day : List.of(DAY_BEFORE, DAY)) {
      for (CountMetric m : CountMetric.values()) {
        assertThat(served(m, day)).as(m.servingTable() + " of " + day).isEqualTo(expected(m, day));
      }
      assertThat(dayStatus(day)).containsEntry("status", "reconciled");
    }
    long before = total(expected(CountMetric.USER, DAY_BEFORE));
    assertThat(sql.queryRows(
            "SELECT outcome, batch_total, speed_total, abs_drift FROM {t:Identifier} WHERE day = {day:Date}",
            Map.of("t", sql.database() + ".drift_reports", "day", DAY_BEFORE)))
        .extracting(r -> r.get("outcome"), r -> r.get("batch_total"), r -> r.get("speed_total"), r -> r.get("abs_drift"))
        .containsExactly(Tuple.tuple("replaced", Long.toString(before), "0", Long.toString(before)));
    assertThat(dayStatus(DAY).get("run_id")).as("the reconciled day with no new lake data was skipped")
        .isEqualTo(nightlyReportRunId);
  }

  // ---------------------------------------------------------------------------------------------

  /** Writes the generator's records for {@code day} (from 10:00 UTC) as JSON Lines and keeps their ground truth. */
  private Path writeTraffic(LocalDate day, long seed, Path file) throws IOException {
    GeneratorSpec spec = GeneratorSpec.builder()
        .startTime(day.atTime(10, 0).toInstant(ZoneOffset.UTC))
        .duration(day.equals(DAY) ? Duration.ofMinutes(5) : Duration.ofMinutes(2))
        .rate(10).users(40).pages(8).seed(seed).outOfOrderMs(3000)
        .lateFraction(0.02).duplicateFraction(0.02).invalidFraction(0.01)
        .build();
    GroundTruth t = new GroundTruth();
    try (OutputStream out = Files.newOutputStream(file)) {
      for (GeneratedRecord r : new TrafficPlan(spec, System.currentTimeMillis())) {
        t.add(r);
        out.write(r.value());
        out.write('\n');
      }
    }
    truth.put(day, t);
    return file;
  }

  /**
   * What the speed layer would have written for DAY: every window without its too-late events, at
   * a speed-layer version, plus one window (with no too-late event) over-counted by OVER_COUNT.
   */
  private void writeSpeedLayerView() {
    for (CountMetric m : CountMetric.values()) {
      Map<WindowKey, Long> view = new TreeMap<>(ofDay(truth.get(DAY).speedCounts(m), DAY));
      Map<WindowKey, Long> late = truth.get(DAY).tooLateCounts(m);
      WindowKey over = view.keySet().stream().filter(k -> !late.containsKey(k)).findFirst().orElseThrow();
      view.merge(over, OVER_COUNT, Long::sum);
      List<Map<String, Object>> rows = new ArrayList<>();
      view.forEach((k, c) -> {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(m.keyColumn(), k.key());
        r.put("window_start", Instant.ofEpochMilli(k.windowStart()));
        r.put("count", c);
        r.put("version", CountVersions.speed(1));
        r.put("source", "speed");
        r.put("written_at", Instant.now());
        rows.add(r);
      });
      sql.insertJsonEachRow(sql.database() + "." + table(m).storeTable(), rows);
      assertThat(served(m, DAY)).as("the speed layer's view of " + DAY).isEqualTo(view);
    }
  }

  private static CountTable table(CountMetric m) {
    return m == CountMetric.USER ? CountTable.USER_PAGE_COUNTS : CountTable.PAGE_VIEW_COUNTS;
  }

  /** The seed's query on the serving view, for one day. */
  private Map<WindowKey, Long> served(CountMetric m, LocalDate day) {
    Map<WindowKey, Long> out = new HashMap<>();
    for (Map<String, String> r : sql.queryRows(
        "SELECT {k:Identifier} AS k, toUnixTimestamp(window_start) AS ws, count FROM {t:Identifier}"
            + " WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}",
        Map.of("k", m.keyColumn(), "t", sql.database() + "." + m.servingTable(),
            "from", Instant.ofEpochMilli(Windows.dayStartMs(day)), "to", Instant.ofEpochMilli(Windows.dayEndMs(day))))) {
      out.put(new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000), Long.parseLong(r.get("count")));
    }
    return out;
  }

  private Map<WindowKey, Long> expected(CountMetric m, LocalDate day) {
    Map<WindowKey, Long> e = ofDay(truth.get(day).counts(m), day);
    assertThat(e).isNotEmpty();
    return e;
  }

  private static Map<WindowKey, Long> ofDay(Map<WindowKey, Long> counts, LocalDate day) {
    Map<WindowKey, Long> out = new HashMap<>();
    counts.forEach((k, v) -> {
      if (Windows.day(k.windowStart()).equals(day)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static long total(Map<WindowKey, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private Map<String, String> dayStatus(LocalDate day) {
    List<Map<String, String>> rows = sql.queryRows(
        "SELECT toString(status) AS status, run_id FROM {t:Identifier} FINAL WHERE day = {day:Date}",
        Map.of("t", sql.database() + ".day_status", "day", day));
    return rows.isEmpty() ? Map.of() : rows.get(0);
  }

  record Run(int exit, String out, String err) {}

  /** Runs the real launcher with this test's configuration, as the Airflow tasks do. */
  private Run tidemark(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("tidemark").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
    pb.environment().put("TIDEMARK_SKIP_BUILD", "1");
    Process p = pb.start();
    try {
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      assertThat(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("tidemark " + String.join(" ", args)).isTrue();
      return new Run(p.exitValue(), out, err.get());
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path writePrivateProperties(Path file, Map<String, String> values) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties p = new Properties();
    p.putAll(values);
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, "NightlyThroughAirflowIT: the test services, for the CLI run by Airflow tasks");
    }
    return file;
  }

  private DagRun awaitEnd(DagRun run, Duration timeout) {
    AtomicReference<DagRun> last = new AtomicReference<>(run);
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(2))
        .alias("run " + run.runId() + " of " + run.dagId() + " to end (task logs under "
            + airflow.airflowHome().resolve("logs") + ")")
        .until(() -> {
          last.set(client.run(run.dagId(), run.runId()));
          return last.get().finished();
        });
    return last.get();
  }

  private String describe(DagRun run) {
    return run.dagId() + " " + run.runId() + ": " + client.taskInstances(run.dagId(), run.runId())
        + " (task logs under " + airflow.airflowHome().resolve("logs") + ")";
  }

  private static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
