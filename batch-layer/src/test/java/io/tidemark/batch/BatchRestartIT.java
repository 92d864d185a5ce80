package io.tidemark.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratorSpec;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code batch run --date D}'s restart contract, as the CLI runs it (a child JVM on {@code
 * target/classpath.txt} with {@code TIDEMARK_CONFIG}): run twice, and killed with SIGKILL right
 * after its first count-table commit and run again, the Iceberg count tables hold the day's ground
 * truth exactly once, every row of the day from one run, and the day's latest complete result
 * (count tables and {@code batch_runs} on the same run id) is the last run's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchRestartIT {
  static final LocalDate DAY = LocalDate.parse("2026-11-21");
  static final ObjectMapper JSON = new ObjectMapper();

  SparkSession spark;
  BatchJob job;
  LakeRows lake;
  Path configFile;
  final Map<CountMetric, Map<WindowKey, Long>> truth = new EnumMap<>(CountMetric.class);

  @BeforeAll
  void setUp() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "restart_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_rsit");
    v.put(BatchOptions.SPARK_MASTER.key(), "local[1]");
    TidemarkConfig cfg = TidemarkConfig.of(v);
    spark = SparkForTests.spark();
    job = BatchJob.create(spark, cfg);
    LakeRows.createEventsTable(spark, job.tables().events());
    lake = new LakeRows().addKafka(GeneratorSpec.builder().startTime(Instant.parse("2026-11-21T10:00:00Z"))
        .duration(Duration.ofMinutes(20)).rate(10).users(30).pages(6).seed(21).lateFraction(0.03)
        .duplicateFraction(0.05).invalidFraction(0.03).build());
    lake.appendTo(spark, job.tables().events());
    for (CountMetric m : CountMetric.values()) {
      truth.put(m, LakeRows.ofDay(lake.truth.counts(m), DAY, k -> k));
      assertThat(truth.get(m)).isNotEmpty();
    }
    configFile = Files.createTempFile("batch-restart-it", ".properties");
    Properties p = new Properties();
    p.putAll(cfg.explicitValues());
    try (OutputStream out = Files.newOutputStream(configFile)) {
      p.store(out, null);
    }
  }

  @AfterAll
  void close() throws Exception {
    Files.deleteIfExists(configFile);
  }

  Process start(Path err) throws Exception {
    Path module = Path.of("").toAbsolutePath();
    String cp = module.resolve("target/classes") + java.io.File.pathSeparator
        + Files.readString(module.resolve("target/classpath.txt")).trim();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp, "io.tidemark.batch.BatchMain", "run", "--date", DAY.toString(), "--json");
    pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
    return pb.redirectError(err.toFile()).start();
  }

  /** A plain {@code batch run --date DAY --json} to its end; its run id. */
  String run() throws Exception {
    Path err = Files.createTempFile("batch-restart-it", ".err");
    Process p = start(err);
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(4, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    Files.deleteIfExists(err);
    JsonNode result = JSON.readTree(out.substring(out.indexOf('{')));
    return result.path("run_id").asText();
  }

  /** The table's snapshots, oldest first: [snapshot id, operation, added rows, deleted rows]. */
  List<Row> snapshots(CountMetric m) {
    spark.sql("REFRESH TABLE " + job.tables().counts(m));
    return spark.sql("SELECT snapshot_id, operation, summary['added-records'], summary['deleted-records'] FROM "
        + job.tables().counts(m) + ".snapshots ORDER BY committed_at").collectAsList();
  }

  /**
   * The day in one count table: every row's cell and run id, checked to hold each cell once and to
   * come from a single run; returns that run id.
   */
  String assertDayOnce(CountMetric m, String when) {
    spark.sql("REFRESH TABLE " + job.tables().counts(m));
    Map<WindowKey, Long> cells = new HashMap<>();
    List<String> runs = new ArrayList<>();
    long rows = 0;
    for (Row r : spark.sql("SELECT " + m.keyColumn() + ", unix_millis(window_start), count, batch_run_id FROM "
        + job.tables().counts(m) + " WHERE window_start >= timestamp_millis(" + Windows.dayStartMs(DAY)
        + ") AND window_start < timestamp_millis(" + Windows.dayEndMs(DAY) + ")").collectAsList()) {
      rows++;
      cells.merge(new WindowKey(r.getString(0), r.getLong(1)), r.getLong(2), Long::sum);
      if (!runs.contains(r.getString(3))) {
        runs.add(r.getString(3));
      }
    }
    assertThat(rows).as("%s rows %s (one per cell)", m.servingTable(), when).isEqualTo(truth.get(m).size());
    assertThat(cells).as("%s cells %s", m.servingTable(), when).isEqualTo(truth.get(m));
    assertThat(runs).as("%s runs of the day %s", m.servingTable(), when).hasSize(1);
    return runs.get(0);
  }

  /** The run ids of the day in batch_runs, oldest first. */
  List<String> runsOfDay() {
    spark.sql("REFRESH TABLE " + job.tables().runs());
    return spark.sql("SELECT run_id FROM " + job.tables().runs() + " WHERE day = DATE '" + DAY + "' ORDER BY started_at")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  @Test
  void runTwiceOrKilledAfterItsFirstCommitAndRunAgainTheDayHoldsTheTruthOnce() throws Exception {
    List<String> log = new ArrayList<>();
    long t0 = System.nanoTime();
    String first = run();
    log.add("run 1 " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    for (CountMetric m : CountMetric.values()) {
      assertThat(assertDayOnce(m, "after run 1")).isEqualTo(first);
    }

    t0 = System.nanoTime();
    String second = run();
    log.add("run 2 " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    for (CountMetric m : CountMetric.values()) {
      assertThat(assertDayOnce(m, "after run 2")).isEqualTo(second);
      // one commit per run, and the second replaced the first's rows of the day instead of adding
      List<Row> snaps = snapshots(m);
      Row last = snaps.get(snaps.size() - 1);
      assertThat(last.getString(1)).as(m + " last operation").isEqualTo("overwrite");
      assertThat(Long.parseLong(last.getString(2))).as(m + " added").isEqualTo(truth.get(m).size());
      assertThat(Long.parseLong(last.getString(3))).as(m + " deleted").isEqualTo(truth.get(m).size());
    }
    assertThat(runsOfDay()).containsExactly(first, second);

    // Killed with SIGKILL as soon as its first count table commit is visible to another reader.
    long userSnapshots = snapshots(CountMetric.USER).size();
    long pageSnapshots = snapshots(CountMetric.PAGE).size();
    Path err = Files.createTempFile("batch-restart-it", ".err");
    t0 = System.nanoTime();
    Process killed = start(err);
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
          .failFast(() -> assertThat(killed.isAlive()).as("batch run ended before it was killed: " + Files.readString(err)).isTrue())
          .until(() -> snapshots(CountMetric.USER).size() > userSnapshots);
    } finally {
      killed.destroyForcibly();
      assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    log.add("killed after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    String userRun = assertDayOnce(CountMetric.USER, "after the kill");
    String pageRun = assertDayOnce(CountMetric.PAGE, "after the kill");
    assertThat(userRun).as("the killed run's user commit").isNotEqualTo(second);
    boolean pageCommitted = snapshots(CountMetric.PAGE).size() > pageSnapshots;
    assertThat(pageRun).isEqualTo(pageCommitted ? userRun : second);
    List<String> runsAfterKill = runsOfDay();
    log.add("kill landed after the user commit, page " + (pageCommitted ? "committed" : "not committed")
        + ", batch_runs " + (runsAfterKill.contains(userRun) ? "appended" : "not appended"));
    Files.deleteIfExists(err);

    t0 = System.nanoTime();
    String rerun = run();
    log.add("rerun " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    for (CountMetric m : CountMetric.values()) {
      assertThat(assertDayOnce(m, "after the rerun")).isEqualTo(rerun);
    }
    List<String> runs = runsOfDay();
    assertThat(runs.get(runs.size() - 1)).as("the day's latest batch_runs row").isEqualTo(rerun);
    System.out.printf("[BatchRestartIT] %s; %d user + %d page cells checked exactly per check, 6 checks%n", log,
        truth.get(CountMetric.USER).size(), truth.get(CountMetric.PAGE).size());
  }
}
