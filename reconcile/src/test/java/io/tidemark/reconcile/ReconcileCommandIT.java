package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.batch.BatchOptions;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.reconcile.store.ReportStore;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The commands as the CLI runs them: a child JVM on {@code target/classpath.txt} with {@code
 * TIDEMARK_CONFIG}, killed with SIGKILL between staging and replace and between the two replaces;
 * ClickHouse is left untouched or per-table replaced, and a rerun completes the day.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileCommandIT {
  static final LocalDate DAY = LocalDate.parse("2026-11-20");
  static final ObjectMapper JSON = new ObjectMapper();

  TidemarkConfig cfg;
  ClickHouseSql sql;
  Path configFile;
  LakeRows lake;
  Map<CountMetric, Map<WindowKey, Long>> speed = new HashMap<>();
  Map<CountMetric, Map<WindowKey, Long>> truth = new HashMap<>();

  @BeforeAll
  void setUp() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "command_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_cit");
    v.put(ClickHouseOptions.DATABASE.key(), "reconcile_command_it");
    v.put(BatchOptions.SPARK_MASTER.key(), "local[1]");
    // The default lease and no waiting: a rerun on this host takes a killed run's lock over at once.
    v.put(ReconcileOptions.LOCK_TTL.key(), "2m");
    v.put(ReconcileOptions.LOCK_WAIT.key(), "0s");
    cfg = TidemarkConfig.of(v);
    sql = ClickHouseClients.connect(cfg);
    new SchemaMigrator(sql).migrate();
    String events = BatchJob.create(SparkForTests.spark(), cfg).tables().events();
    LakeRows.createEventsTable(SparkForTests.spark(), events);
    lake = new LakeRows().addKafka(GeneratorSpec.builder().startTime(Instant.parse("2026-11-20T08:00:00Z"))
        .duration(Duration.ofMinutes(10)).rate(5).users(20).pages(5).seed(3).lateFraction(0.05)
        .duplicateFraction(0.05).invalidFraction(0.05).build());
    lake.appendTo(SparkForTests.spark(), events);
    for (CountMetric m : CountMetric.values()) {
      speed.put(m, LakeRows.ofDay(lake.truth.speedCounts(m), DAY, k -> k));
      List<Map<String, Object>> rows = new ArrayList<>();
      speed.get(m).forEach((k, c) -> {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(m.keyColumn(), k.key());
        r.put("window_start", Instant.ofEpochMilli(k.windowStart()));
        r.put("count", c);
        r.put("version", CountVersions.speed(7));
        r.put("source", "speed");
        r.put("written_at", Instant.now());
        rows.add(r);
      });
      sql.insertJsonEachRow(sql.database() + "." + CountTable.of(m).storeTable(), rows);
    }
    configFile = Files.createTempFile("reconcile-command-it", ".properties");
    Properties p = new Properties();
    p.putAll(cfg.explicitValues());
    try (OutputStream out = Files.newOutputStream(configFile)) {
      p.store(out, null);
    }
  }

  @AfterAll
  void close() throws IOException {
    sql.close();
    Files.deleteIfExists(configFile);
  }

  record Run(int exit, String out, String err) {}

  Process start(String mainClass, Map<String, String> env, String... args) throws IOException {
    return start(mainClass, env, List.of(), null, args);
  }

  /** A child JVM as the CLI starts it, plus test classes; stderr to {@code err} when given. */
  Process start(String mainClass, Map<String, String> env, List<String> jvmArgs, Path err, String... args)
      throws IOException {
    Path module = Path.of("").toAbsolutePath();
    String cp = module.resolve("target/classes") + java.io.File.pathSeparator + module.resolve("target/test-classes")
        + java.io.File.pathSeparator + Files.readString(module.resolve("target/classpath.txt")).trim();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        // short-lived JVMs on tiny days: start-up dominates, so the quick JIT and a simple GC
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", cp, mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
    pb.environment().putAll(env);
    if (err != null) {
      pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    return pb.start();
  }

  Run run(String mainClass, String... args) throws Exception {
    return run(mainClass, Map.of(), args);
  }

  Run run(String mainClass, Map<String, String> env, String... args) throws Exception {
    Process p = start(mainClass, env, args);
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), out, err.get());
  }

  /** A reconcile child JVM held at a step boundary and killed there with SIGKILL. */
  record Killed(long pid, String err, long millis) {}

  /**
   * Starts {@code reconcile --date DAY} in a child JVM ({@link PausingReconcileMain}) that pauses at
   * {@code step}, waits for its pause file, runs {@code atBoundary} (checks of the state the step
   * left, while the process is held there) and kills it with SIGKILL.
   */
  Killed killAt(String step, Runnable atBoundary) throws Exception {
    Path pause = Files.createTempFile("reconcile-pause", ".step");
    Files.delete(pause);
    Path err = Files.createTempFile("reconcile-killed", ".err");
    long t0 = System.nanoTime();
    Process p = start("io.tidemark.reconcile.PausingReconcileMain", Map.of(),
        List.of("-Dtidemark.test.pause-at=" + step, "-Dtidemark.test.pause-file=" + pause), err,
        "reconcile", "--date", DAY.toString());
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
          .failFast(() -> assertThat(p.isAlive()).as("reconcile exited before " + step + ": " + Files.readString(err)).isTrue())
          .until(() -> Files.exists(pause) && Files.readString(pause).equals(step));
      atBoundary.run();
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    String stderr = Files.readString(err);
    Files.deleteIfExists(pause);
    Files.deleteIfExists(err);
    return new Killed(p.pid(), stderr, (System.nanoTime() - t0) / 1_000_000);
  }

  static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Map<WindowKey, Long> seedQuery(CountMetric m) {
    Map<WindowKey, Long> out = new HashMap<>();
    for (Map<String, String> r : sql.queryRows("SELECT " + m.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws,"
        + " count AS c FROM " + sql.database() + "." + m.servingTable(), Map.of())) {
      out.put(new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000), Long.parseLong(r.get("c")));
    }
    return out;
  }

  @Test
  void aDayWithoutLakeDataOrInsideTheHorizonIsRefusedWithExitCodeThree() throws Exception {
    Run batch = run("io.tidemark.batch.BatchMain", "run", "--date", "2026-11-18");
    assertThat(batch.exit()).as(batch.err()).isEqualTo(3);
    assertThat(batch.err()).containsPattern("(?m)^error: No records for 2026-11-18 in "
        + "\\S+command_it_events \\(lake snapshot \\d+\\): nothing written$");

    String today = LocalDate.now(java.time.ZoneOffset.UTC).toString();
    Run reconcile = run("io.tidemark.reconcile.ReconcileMain", "reconcile", "--date", today);
    assertThat(reconcile.exit()).as(reconcile.err()).isEqualTo(3);
    assertThat(reconcile.err()).containsPattern("(?m)^error: Day " + today
        + " is still inside the speed layer's lateness horizon until \\S+: refusing to reconcile it"
        + " \\(use --force to reconcile anyway\\)$");
  }

  /** The staging day of {@code m} as cells (what a REPLACE PARTITION would swap in). */
  Map<WindowKey, Long> stagingDay(CountMetric m) {
    Map<WindowKey, Long> out = new HashMap<>();
    var t = io.tidemark.schema.clickhouse.CountTable.of(m);
    for (Map<String, String> r : sql.queryRows("SELECT " + t.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws,"
        + " count AS c FROM " + sql.database() + "." + t.stagingTable() + " WHERE toYYYYMMDD(window_start) = 20261120",
        Map.of())) {
      out.put(new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000), Long.parseLong(r.get("c")));
    }
    return out;
  }

  /** The runs that have a partition of DAY in reconcile_cells, read from system.parts. */
  List<String> cellRuns() {
    return sql.queryRows("SELECT DISTINCT partition AS p FROM system.parts WHERE database = {db:String}"
            + " AND table = 'reconcile_cells' AND active AND partition LIKE '(20261120,%' ORDER BY p",
        Map.of("db", sql.database())).stream().map(r -> r.get("p").replaceAll("^\\(20261120,\\s*'(.*)'\\)$", "$1")).toList();
  }

  /** No cells of any run of DAY, an empty staging day, no live lock. */
  void assertNothingLeft(String when) {
    assertThat(cellRuns()).as("reconcile_cells partitions of the day " + when).isEmpty();
    for (CountMetric m : CountMetric.values()) {
      assertThat(stagingDay(m)).as(m + " staging " + when).isEmpty();
    }
    assertThat(Reconciler.locks(sql, cfg).live(DAY)).as("live locks " + when).isEmpty();
  }

  /** Every served cell of both metrics: each table must show the old or the new day, whole. */
  int assertServed(String when, boolean userNew, boolean pageNew) {
    int cells = 0;
    for (CountMetric m : CountMetric.values()) {
      boolean isNew = m == CountMetric.USER ? userNew : pageNew;
      Map<WindowKey, Long> expected = isNew ? truth.get(m) : speed.get(m);
      assertThat(seedQuery(m)).as("%s %s (%s)", m.servingTable(), when, isNew ? "replaced" : "untouched").isEqualTo(expected);
      cells += expected.size();
    }
    return cells;
  }

  @Test
  void aRunKilledAtEachStepBoundaryLeavesEachTableOldOrNewAndTheRerunCleansUpAndConverges() throws Exception {
    for (CountMetric m : CountMetric.values()) {
      truth.put(m, LakeRows.ofDay(lake.truth.counts(m), DAY, k -> k));
      // the kills could not show a half-replaced day if old and new were the same
      assertThat(truth.get(m)).as(m + ": batch differs from speed").isNotEqualTo(speed.get(m));
    }
    List<String> log = new ArrayList<>();
    int cells = 0;

    Killed loaded = killAt("loaded", () -> assertThat(cellRuns()).hasSize(1));
    List<String> leftover = cellRuns();
    cells += assertServed("after a kill after load", false, false);
    assertThat(leftover).as("the killed run's cells").hasSize(1);
    log.add("loaded " + loaded.millis() + " ms");

    Killed compared = killAt("compared", () -> {
      // the rerun dropped the killed run's partition before loading its own
      assertThat(cellRuns()).hasSize(1).doesNotContainAnyElementsOf(leftover);
    });
    assertThat(compared.err()).contains("warning: took over the reconcile lock of 2026-11-20 from reconcile on ")
        .contains(", pid " + loaded.pid() + " (since ").contains("that process is no longer running");
    cells += assertServed("after a kill after compare", false, false);
    log.add("compared " + compared.millis() + " ms");

    Killed staged = killAt("staged", () -> {
      for (CountMetric m : CountMetric.values()) {
        assertThat(stagingDay(m)).as(m + " staged").isEqualTo(truth.get(m));
      }
    });
    assertThat(staged.err()).contains(", pid " + compared.pid() + " (since ");
    cells += assertServed("after a kill between stage and replace", false, false);
    assertThat(new ReportStore(sql).status(DAY).reconciled()).isFalse();
    log.add("staged " + staged.millis() + " ms");

    Killed replacing = killAt("replaced:user_page_counts", () -> {});
    cells += assertServed("after a kill between the two replaces", true, false);
    assertThat(new ReportStore(sql).status(DAY).reconciled()).isFalse();
    log.add("replaced:user_page_counts " + replacing.millis() + " ms");

    // The plain command, as a user or Airflow reruns it: takes the lock over, replaces the other
    // table (the replaced one shows zero drift) and leaves nothing behind.
    long t0 = System.nanoTime();
    Run done = run("io.tidemark.reconcile.ReconcileMain", "reconcile", "--date", DAY.toString(), "--json");
    assertThat(done.exit()).as(done.err()).isZero();
    assertThat(done.err()).contains(", pid " + replacing.pid() + " (since ");
    log.add("rerun " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    JsonNode report = JSON.readTree(done.out());
    assertThat(report.path("outcome").asText()).isEqualTo("replaced");
    long late = lake.truth.tooLate();
    assertThat(late).isPositive();
    assertThat(report.path("metrics").path("user_page_counts").path("abs_drift").asLong()).isZero();
    assertThat(report.path("metrics").path("page_view_counts").path("causes").path("too-late").asLong()).isEqualTo(late);
    cells += assertServed("after the rerun", true, true);
    assertNothingLeft("after the rerun");

    // A kill after the day is marked (only staging and the run's cells are left): a speed write to a
    // new cell makes the day drift, so the next run replaces it again and is killed at "marked".
    Map<String, Object> stray = new LinkedHashMap<>();
    stray.put("user_id", "stray-user");
    stray.put("window_start", Instant.parse("2026-11-20T09:30:00Z"));
    stray.put("count", 3L);
    stray.put("version", CountVersions.speed(9));
    stray.put("source", "speed");
    stray.put("written_at", Instant.now());
    sql.insertJsonEachRow(sql.database() + "." + io.tidemark.schema.clickhouse.CountTable.of(CountMetric.USER).storeTable(), List.of(stray));
    Killed marked = killAt("marked", () -> {});
    cells += assertServed("after a kill after marking the day", true, true);
    assertThat(new ReportStore(sql).status(DAY).reconciled()).isTrue();
    assertThat(stagingDay(CountMetric.USER)).as("staging left filled").isEqualTo(truth.get(CountMetric.USER));
    assertThat(cellRuns()).as("the killed run's cells").hasSize(1);
    String markedRun = cellRuns().get(0);
    log.add("marked " + marked.millis() + " ms");
    t0 = System.nanoTime();
    Run clean = run("io.tidemark.reconcile.ReconcileMain", "reconcile", "--date", DAY.toString(), "--json");
    assertThat(clean.exit()).as(clean.err()).isZero();
    assertThat(JSON.readTree(clean.out()).path("outcome").asText()).isEqualTo("no-drift");
    log.add("rerun " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    cells += assertServed("after the second rerun", true, true);
    assertNothingLeft("after the second rerun");
    System.out.printf("[ReconcileCommandIT] kill, rerun: %s; %d served cells checked (user %d + page %d per check)%n",
        log, cells, truth.get(CountMetric.USER).size(), truth.get(CountMetric.PAGE).size());

    Run days = run("io.tidemark.reconcile.ReconcileMain", "days", "--from", "2026-11-19", "--to", "2026-11-21", "--json");
    assertThat(days.exit()).as(days.err()).isZero();
    JsonNode status = JSON.readTree(days.out());
    assertThat(status).hasSize(1);
    assertThat(status.get(0).path("day").asText()).isEqualTo("2026-11-20");
    assertThat(status.get(0).path("status").asText()).isEqualTo("reconciled");
    // the day was marked by the run killed after marking; the no-drift check changed nothing
    assertThat(status.get(0).path("run_id").asText()).isEqualTo(markedRun);

    Run drift = run("io.tidemark.reconcile.ReconcileMain", "drift", "--date", DAY.toString(), "--details", "--json");
    assertThat(drift.exit()).as(drift.err()).isZero();
    JsonNode d = JSON.readTree(drift.out());
    assertThat(d.path("report").path("run_id").asText()).isEqualTo(JSON.readTree(clean.out()).path("run_id").asText());
    assertThat(d.path("report").path("outcome").asText()).isEqualTo("no-drift");

    Run list = run("io.tidemark.reconcile.ReconcileMain", "drift", "--from", "2026-11-19", "--to", "2026-11-21");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("2026-11-20  replaced").contains(report.path("run_id").asText());
  }
}
