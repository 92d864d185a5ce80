package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

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

  @BeforeAll
  void setUp() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "command_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_cit");
    v.put(ClickHouseOptions.DATABASE.key(), "reconcile_command_it");
    v.put(BatchOptions.SPARK_MASTER.key(), "local[1]");
    // A killed run's day lock expires 20 s after its last renewal; later runs wait for it.
    v.put(ReconcileOptions.LOCK_TTL.key(), "20s");
    v.put(ReconcileOptions.LOCK_WAIT.key(), "2m");
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
    Path module = Path.of("").toAbsolutePath();
    String cp = module.resolve("target/classes") + java.io.File.pathSeparator
        + Files.readString(module.resolve("target/classpath.txt")).trim();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "-cp", cp, mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
    pb.environment().putAll(env);
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

  /** Starts a reconcile that stops at {@code step}, then kills it with SIGKILL; returns its pid. */
  long killAt(String step) throws Exception {
    Process p = start("io.tidemark.reconcile.ReconcileMain", Map.of("TIDEMARK_RECONCILE_FAILPOINT", step),
        "reconcile", "--date", DAY.toString());
    try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean reached = false;
      while ((line = err.readLine()) != null) {
        if (line.equals("failpoint " + step + " reached")) {
          reached = true;
          break;
        }
      }
      assertThat(reached).as("failpoint " + step).isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    return p.pid();
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

  @Test
  void killedRunsLeaveClickHouseUntouchedOrPerTableReplacedAndARerunCompletes() throws Exception {
    long killed = killAt("staged");
    for (CountMetric m : CountMetric.values()) {
      assertThat(seedQuery(m)).as(m + " after a kill before replace").isEqualTo(speed.get(m));
    }
    assertThat(new ReportStore(sql).status(DAY).reconciled()).isFalse();

    // The killed run's lock is still leased: a run that does not wait fails, naming it.
    Run refused = run("io.tidemark.reconcile.ReconcileMain", Map.of("TIDEMARK_RECONCILE_LOCK_WAIT", "0s"),
        "reconcile", "--date", DAY.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err().strip()).matches("error: Day 2026-11-20 is being reconciled by reconcile on \\S+, pid "
        + killed + " \\(since .*, lease until .*\\): not replacing it concurrently \\(retry later, or set"
        + " tidemark.reconcile.lock-wait to wait\\)");
    // The next run waits for the lease to expire and takes the day over.

    killAt("replaced:user_page_counts");
    assertThat(seedQuery(CountMetric.USER)).isEqualTo(LakeRows.ofDay(lake.truth.counts(CountMetric.USER), DAY, k -> k));
    assertThat(seedQuery(CountMetric.PAGE)).isEqualTo(speed.get(CountMetric.PAGE));
    assertThat(new ReportStore(sql).status(DAY).reconciled()).isFalse();

    Run done = run("io.tidemark.reconcile.ReconcileMain", "reconcile", "--date", DAY.toString(), "--json");
    assertThat(done.exit()).as(done.err()).isZero();
    JsonNode report = JSON.readTree(done.out());
    assertThat(report.path("outcome").asText()).isEqualTo("replaced");
    long late = lake.truth.tooLate();
    assertThat(late).isPositive();
    assertThat(report.path("metrics").path("user_page_counts").path("abs_drift").asLong()).isZero();
    assertThat(report.path("metrics").path("page_view_counts").path("causes").path("too-late").asLong()).isEqualTo(late);
    for (CountMetric m : CountMetric.values()) {
      assertThat(seedQuery(m)).isEqualTo(LakeRows.ofDay(lake.truth.counts(m), DAY, k -> k));
    }

    Run days = run("io.tidemark.reconcile.ReconcileMain", "days", "--from", "2026-11-19", "--to", "2026-11-21", "--json");
    assertThat(days.exit()).as(days.err()).isZero();
    JsonNode status = JSON.readTree(days.out());
    assertThat(status).hasSize(1);
    assertThat(status.get(0).path("day").asText()).isEqualTo("2026-11-20");
    assertThat(status.get(0).path("status").asText()).isEqualTo("reconciled");
    assertThat(status.get(0).path("run_id").asText()).isEqualTo(report.path("run_id").asText());

    Run drift = run("io.tidemark.reconcile.ReconcileMain", "drift", "--date", DAY.toString(), "--details", "--json");
    assertThat(drift.exit()).as(drift.err()).isZero();
    JsonNode d = JSON.readTree(drift.out());
    assertThat(d.path("report").path("run_id").asText()).isEqualTo(report.path("run_id").asText());
    assertThat(d.path("differences")).isNotEmpty();
    assertThat(d.path("differences").get(0).path("cause").asText()).isEqualTo("too-late");

    Run list = run("io.tidemark.reconcile.ReconcileMain", "drift", "--from", "2026-11-19", "--to", "2026-11-21");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("2026-11-20  replaced").contains(report.path("run_id").asText());
  }
}
