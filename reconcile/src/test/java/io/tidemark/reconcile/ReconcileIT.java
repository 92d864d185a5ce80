package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.batch.BatchOptions;
import io.tidemark.batch.table.BatchTables;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.reconcile.store.BatchCounts;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reconciliation end to end on real services: Spark local, Iceberg (JDBC catalog on SQLite, files
 * in s3proxy), ClickHouse 18.16. The lake holds a generated day with invalid, duplicate and too-late
 * records spanning midnight, plus an imported day the speed layer never saw; ClickHouse holds what
 * the speed layer would have written (ground truth without the too-late events) with an outage and
 * over-counted keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileIT {
  static final LocalDate HISTORY = LocalDate.parse("2026-11-23");
  static final LocalDate D = LocalDate.parse("2026-11-24");
  static final LocalDate D1 = D.plusDays(1);

  TidemarkConfig cfg;
  SparkSession spark;
  ClickHouseSql sql;
  LakeRows lake;
  Map<CountMetric, Map<WindowKey, Long>> speedD = new HashMap<>();
  Map<CountMetric, Map<WindowKey, Long>> speedD1 = new HashMap<>();
  long removedUserEvents;
  long overCountedUser;

  @BeforeAll
  void setUp() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "reconcile_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_rit");
    v.put(ClickHouseOptions.DATABASE.key(), "reconcile_it");
    cfg = TidemarkConfig.of(v);
    spark = SparkForTests.spark();
    sql = ClickHouseClients.connect(cfg);
    new SchemaMigrator(sql).migrate();

    String events = reconciler(Instant.parse("2026-12-01T00:00:00Z")).batch().tables().events();
    LakeRows.createEventsTable(spark, events);
    lake = new LakeRows()
        .addKafka(GeneratorSpec.builder().startTime(Instant.parse("2026-11-24T23:40:00Z"))
            .duration(Duration.ofMinutes(30)).rate(10).users(40).pages(8).seed(11).outOfOrderMs(3_000)
            .lateFraction(0.02).duplicateFraction(0.03).invalidFraction(0.03).build())
        .addImported(GeneratorSpec.builder().startTime(Instant.parse("2026-11-23T12:00:00Z"))
            .duration(Duration.ofMinutes(10)).rate(5).users(20).pages(5).seed(12).duplicateFraction(0.05)
            .build(), "history-2026-11-23.jsonl");
    lake.appendTo(spark, events);

    for (CountMetric m : CountMetric.values()) {
      speedD.put(m, new HashMap<>(LakeRows.ofDay(lake.truth.speedCounts(m), D, k -> k)));
      speedD1.put(m, new HashMap<>(LakeRows.ofDay(lake.truth.speedCounts(m), D1, k -> k)));
    }
    // A speed-layer outage: five user cells of D never written. Three others over-counted by 2,
    // and one cell the lake knows nothing about.
    List<WindowKey> cells = new ArrayList<>(new TreeMap<>(speedD.get(CountMetric.USER)).keySet());
    for (WindowKey k : cells.subList(0, 5)) {
      removedUserEvents += speedD.get(CountMetric.USER).remove(k);
    }
    // (Over-counted cells without too-late events: a cell has one count, so a surplus and a
    // shortfall in the same cell net out.)
    Map<WindowKey, Long> late = lake.truth.tooLateCounts(CountMetric.USER);
    cells.subList(5, cells.size()).stream().filter(k -> !late.containsKey(k)).limit(3)
        .forEach(k -> speedD.get(CountMetric.USER).merge(k, 2L, Long::sum));
    speedD.get(CountMetric.USER).put(new WindowKey("user-ghost", Windows.dayStartMs(D) + 600_000), 4L);
    overCountedUser = 3 * 2 + 4;
    for (CountMetric m : CountMetric.values()) {
      writeSpeed(m, speedD.get(m), 1);
      writeSpeed(m, speedD1.get(m), 1);
    }
  }

  @AfterAll
  void close() {
    sql.close();
  }

  Reconciler reconciler(Instant now) {
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now));
    return new Reconciler(spark, io.tidemark.batch.job.BatchJob.create(spark, cfg), sql, io.tidemark.core.metric.LatenessHorizon.of(cfg),
        Duration.ofMinutes(10), 0, 10, clock);
  }

  void writeSpeed(CountMetric m, Map<WindowKey, Long> cells, long version) {
    List<Map<String, Object>> rows = new ArrayList<>();
    cells.forEach((k, c) -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put(m.keyColumn(), k.key());
      r.put("window_start", Instant.ofEpochMilli(k.windowStart()));
      r.put("count", c);
      r.put("version", CountVersions.speed(version));
      r.put("source", "speed");
      r.put("written_at", Instant.now());
      rows.add(r);
    });
    sql.insertJsonEachRow(sql.database() + "." + CountTable.of(m).storeTable(), rows);
  }

  /** The seed's query, restricted to a day. */
  Map<WindowKey, Long> seedQuery(CountMetric m, LocalDate day) {
    Map<WindowKey, Long> out = new HashMap<>();
    for (Map<String, String> r : sql.queryRows("SELECT " + m.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws,"
        + " count AS c FROM " + sql.database() + "." + m.servingTable(), Map.of())) {
      WindowKey k = new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000);
      if (Windows.day(k.windowStart()).equals(day)) {
        out.put(k, Long.parseLong(r.get("c")));
      }
    }
    return out;
  }

  long rawStoreRows() {
    return sql.queryLong("SELECT count() AS n FROM " + sql.database() + ".user_page_counts_store", Map.of());
  }

  long sum(Map<WindowKey, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void reconcilesBackfillsAndStaysCorrect() {
    Instant later = Instant.parse("2026-12-01T00:00:00Z");
    Reconciler r = reconciler(later);

    // Dry run: the exact drift and causes, nothing changed.
    DriftReport dry = r.reconcile(D, true, false);
    MetricDrift user = dry.metrics().get(CountMetric.USER);
    Map<WindowKey, Long> truthUser = LakeRows.ofDay(lake.truth.counts(CountMetric.USER), D, k -> k);
    long lateUser = sum(LakeRows.ofDay(lake.truth.tooLateCounts(CountMetric.USER), D, k -> k));
    assertThat(dry.outcome()).isEqualTo(DriftReport.Outcome.DRY_RUN);
    assertThat(user.batchTotal()).isEqualTo(sum(truthUser));
    assertThat(user.speedTotal()).isEqualTo(sum(speedD.get(CountMetric.USER)));
    assertThat(lateUser).isPositive();
    assertThat(user.tooLate()).isEqualTo(lateUser);
    assertThat(user.missing()).isEqualTo(removedUserEvents);
    assertThat(user.overCounted()).isEqualTo(overCountedUser);
    assertThat(user.notStreamed()).isZero();
    assertThat(user.absDrift()).isEqualTo(lateUser + removedUserEvents + overCountedUser);
    assertThat(user.keysOnlySpeed()).isEqualTo(1);
    assertThat(user.keysOnlyBatch()).isEqualTo(truthUser.keySet().stream()
        .filter(k -> !speedD.get(CountMetric.USER).containsKey(k)).count());
    MetricDrift page = dry.metrics().get(CountMetric.PAGE);
    assertThat(page.tooLate()).isEqualTo(lateUser);
    assertThat(page.absDrift()).isEqualTo(lateUser);
    assertThat(page.missing() + page.overCounted()).isZero();
    assertThat(dry.invalidByReason()).isEqualTo(lake.invalidByDay.get(D));
    assertThat(seedQuery(CountMetric.USER, D)).isEqualTo(speedD.get(CountMetric.USER));

    // Reconcile: the day is replaced; the seed query equals ground truth; the next day untouched.
    DriftReport done = r.reconcile(D, false, false);
    assertThat(done.outcome()).isEqualTo(DriftReport.Outcome.REPLACED);
    assertThat(done.absDrift()).isEqualTo(user.absDrift());
    for (CountMetric m : CountMetric.values()) {
      assertThat(seedQuery(m, D)).as(m.servingTable()).isEqualTo(LakeRows.ofDay(lake.truth.counts(m), D, k -> k));
      assertThat(seedQuery(m, D1)).as(m.servingTable() + " next day").isEqualTo(speedD1.get(m));
    }
    assertThat(r.reports().status(D).reconciled()).isTrue();
    assertThat(r.reports().status(D).lakeSnapshotId()).isEqualTo(done.lakeSnapshotId());
    assertThat(r.reports().status(D1).reconciled()).isFalse();
    assertThat(sql.queryLong("SELECT count() AS n FROM reconcile_it.drift_report_keys WHERE run_id = {r:String}",
        Map.of("r", done.runId()))).isEqualTo(user.diffs().size() + page.diffs().size());
    assertThat(sql.queryLong("SELECT abs_drift FROM reconcile_it.drift_reports WHERE run_id = {r:String}",
        Map.of("r", done.runId()))).isEqualTo(user.absDrift());

    // Second run: zero drift, nothing written to the count tables or the status.
    long rows = rawStoreRows();
    DriftReport again = r.reconcile(D, false, false);
    assertThat(again.outcome()).isEqualTo(DriftReport.Outcome.NO_DRIFT);
    assertThat(again.metrics().values()).allSatisfy(x -> assertThat(x.absDrift()).isZero());
    assertThat(rawStoreRows()).isEqualTo(rows);
    assertThat(r.reports().status(D).runId()).isEqualTo(done.runId());

    // A late speed-layer write of a reconciled cell loses to the batch version.
    WindowKey cell = truthUser.keySet().iterator().next();
    writeSpeed(CountMetric.USER, Map.of(cell, 999L), 5_000);
    assertThat(seedQuery(CountMetric.USER, D)).isEqualTo(truthUser);

    // A crash between staging and replace leaves ClickHouse as it was; the rerun completes.
    Reconciler crashing = reconciler(later).checkpoint(step -> {
      if (step.equals("staged")) {
        throw new IllegalStateException("killed after staging");
      }
    });
    assertThatThrownBy(() -> crashing.reconcile(D1, false, false)).hasMessage("killed after staging");
    assertThat(seedQuery(CountMetric.USER, D1)).isEqualTo(speedD1.get(CountMetric.USER));
    assertThat(r.reports().status(D1).reconciled()).isFalse();

    // Backfill over the imported history day (never in ClickHouse), D (skipped) and D1 (completed).
    List<Backfill.DayResult> results = new Backfill(r).run(HISTORY, D1, false, (d, x) -> {});
    assertThat(results).extracting(Backfill.DayResult::status).containsExactly(
        Backfill.Status.RECONCILED, Backfill.Status.SKIPPED, Backfill.Status.RECONCILED);
    DriftReport history = results.get(0).report();
    long historyEvents = sum(LakeRows.ofDay(lake.truth.counts(CountMetric.USER), HISTORY, k -> k));
    assertThat(history.headline().notStreamed()).isEqualTo(historyEvents);
    assertThat(history.headline().speedTotal()).isZero();
    for (CountMetric m : CountMetric.values()) {
      assertThat(seedQuery(m, HISTORY)).isEqualTo(LakeRows.ofDay(lake.truth.counts(m), HISTORY, k -> k));
      assertThat(seedQuery(m, D1)).isEqualTo(LakeRows.ofDay(lake.truth.counts(m), D1, k -> k));
    }
    assertThat(new Backfill(r).run(HISTORY, D1, false, (d, x) -> {}))
        .extracting(Backfill.DayResult::status).containsOnly(Backfill.Status.SKIPPED);
    assertThat(spark.table(cfg.get(io.tidemark.core.config.LakeOptions.CATALOG_NAME) + ".lake.drift_reports")
        .where("run_id = '" + done.runId() + "'").count()).isEqualTo(1);
  }

  @Test
  void refusesADayInsideTheLatenessHorizonUnlessForced() {
    Reconciler early = reconciler(Instant.parse("2026-11-25T00:05:00Z"));
    assertThatThrownBy(() -> early.reconcile(D, true, false))
        .isInstanceOf(ReconcileException.class)
        .hasMessage("Day 2026-11-24 is still inside the speed layer's lateness horizon until 2026-11-25T00:12:05Z:"
            + " refusing to reconcile it (use --force to reconcile anyway)");
    assertThat(early.reconcile(D, true, true).outcome()).isEqualTo(DriftReport.Outcome.DRY_RUN);
  }

  @Test
  void batchResultIsIncompleteWhileACountTableHoldsCellsOfAnotherRun() {
    BatchTables tables = new BatchTables(cfg);
    tables.createIfMissing(spark);
    LocalDate day = LocalDate.parse("2026-11-10");
    spark.sql("INSERT INTO " + tables.runs() + " VALUES ('run-b', DATE'2026-11-10', 1, TIMESTAMP'2026-11-11 01:00:00',"
        + " TIMESTAMP'2026-11-11 01:01:00', 3, 3, 0, 0, 3, 0, 0, NULL, 2, 1)");
    spark.sql("INSERT INTO " + tables.counts(CountMetric.USER) + " VALUES"
        + " ('user-a', TIMESTAMP'2026-11-10 10:00:00', 2, 0, 0, 1, 'run-b'),"
        + " ('user-b', TIMESTAMP'2026-11-10 10:01:00', 1, 0, 0, 1, 'run-b')");
    spark.sql("INSERT INTO " + tables.counts(CountMetric.PAGE) + " VALUES ('/a', TIMESTAMP'2026-11-10 10:00:00', 3, 0, 0, 1, 'run-b')");

    BatchCounts complete = BatchCounts.read(spark, tables, day);
    assertThat(complete.runId()).isEqualTo("run-b");
    assertThat(complete.totals()).isEqualTo(Map.of(CountMetric.USER, new BatchCounts.Totals(2, 3),
        CountMetric.PAGE, new BatchCounts.Totals(1, 3)));

    // A cell of a later run (it died between its two count commits), then of an earlier one.
    for (String other : new String[] {"run-c", "run-a"}) {
      spark.sql("INSERT INTO " + tables.counts(CountMetric.PAGE) + " VALUES ('/b', TIMESTAMP'2026-11-10 10:02:00', 1, 0, 0, 1, '"
          + other + "')");
      assertThat(BatchCounts.read(spark, tables, day)).as(other).isNull();
      spark.sql("DELETE FROM " + tables.counts(CountMetric.PAGE) + " WHERE batch_run_id = '" + other + "'");
    }
    assertThat(BatchCounts.read(spark, tables, day).totals()).isEqualTo(complete.totals());
  }

  @Test
  void backfillRejectsARangeEndingBeforeItStarts() {
    assertThatThrownBy(() -> new Backfill(reconciler(Instant.parse("2026-12-01T00:00:00Z")))
        .run(D, HISTORY, false, (d, x) -> {}))
        .isInstanceOf(ReconcileException.class)
        .hasMessage("The range ends (2026-11-23) before it starts (2026-11-24)");
  }
}
