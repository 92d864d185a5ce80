package io.tidemark.reconcile.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.ReconcileException;
import io.tidemark.reconcile.drift.BatchCell;
import io.tidemark.reconcile.drift.DriftCalculator;
import io.tidemark.reconcile.drift.KeyDiff;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ClickHouse side of reconcile on real services (Spark local, ClickHouse 18.16): batch cells
 * loaded by Spark tasks as TabSeparated, compared in SQL, staged by INSERT ... SELECT. Every figure
 * is checked against {@link DriftCalculator#compare} on the same cells held in maps (the in-memory
 * path), and against hand-counted expectations.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileCellsIT {
  static final LocalDate DAY = LocalDate.parse("2026-10-07");
  static final long W = Windows.dayStartMs(DAY) + 3_600_000;

  SparkSession spark;
  ClickHouseSql sql;
  ReconcileCells cells;
  final Map<WindowKey, BatchCell> batch = new LinkedHashMap<>();
  final Map<WindowKey, Long> speed = new LinkedHashMap<>();

  @BeforeAll
  void setUp() {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(ClickHouseOptions.DATABASE.key(), "reconcile_cells_it");
    TidemarkConfig cfg = TidemarkConfig.of(v);
    spark = SparkForTests.spark();
    sql = ClickHouseClients.connect(cfg);
    sql.execute("DROP DATABASE IF EXISTS {db:Identifier}", Map.of("db", sql.database()));
    new SchemaMigrator(sql).migrate();
    cells = new ReconcileCells(sql);

    // Keys TabSeparated must escape, a non-ASCII one, and 2,000 plain ones.
    batch.put(new WindowKey("user\ttab", W), new BatchCell(5, 2, 0)); // speed short by 3: 2 too late, 1 missing
    batch.put(new WindowKey("back\\slash", W), new BatchCell(4, 0, 0)); // equal
    batch.put(new WindowKey("line\nfeed", W + 60_000), new BatchCell(3, 0, 3)); // batch only: not streamed
    batch.put(new WindowKey("ünïcode", W), new BatchCell(7, 0, 0)); // speed over by 2
    for (int i = 0; i < 2_000; i++) {
      batch.put(new WindowKey("user-" + i, W + (i % 60) * 60_000L), new BatchCell(1 + i % 3, 0, 0));
    }
    speed.put(new WindowKey("user\ttab", W), 2L);
    speed.put(new WindowKey("back\\slash", W), 4L);
    speed.put(new WindowKey("ünïcode", W), 9L);
    speed.put(new WindowKey("ghost", W), 6L); // speed only
    for (int i = 0; i < 2_000; i++) {
      speed.put(new WindowKey("user-" + i, W + (i % 60) * 60_000L), 1L + i % 3 + (i == 17 ? 1 : 0));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    speed.forEach((k, c) -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("user_id", k.key());
      r.put("window_start", Instant.ofEpochMilli(k.windowStart()));
      r.put("count", c);
      r.put("version", CountVersions.speed(1));
      r.put("source", "speed");
      r.put("written_at", Instant.now());
      rows.add(r);
    });
    sql.insertJsonEachRow(sql.database() + ".user_page_counts_store", rows);
  }

  @AfterAll
  void close() {
    sql.execute("DROP DATABASE IF EXISTS {db:Identifier}", Map.of("db", sql.database()));
    sql.close();
  }

  Dataset<Row> dataset(Map<WindowKey, BatchCell> cellMap) {
    StructType schema = new StructType().add("key", DataTypes.StringType).add("window_start_ms", DataTypes.LongType)
        .add("count", DataTypes.LongType).add("too_late", DataTypes.LongType).add("not_streamed", DataTypes.LongType);
    List<Row> rows = new ArrayList<>();
    cellMap.forEach((k, c) -> rows.add(RowFactory.create(k.key(), k.windowStart(), c.count(), c.tooLate(), c.notStreamed())));
    return spark.createDataFrame(rows, schema).repartition(3);
  }

  BatchCounts.Totals totals() {
    return new BatchCounts.Totals(batch.size(), batch.values().stream().mapToLong(BatchCell::count).sum());
  }

  @Test
  void comparesInClickHouseExactlyAsTheInMemoryCalculatorAndStagesTheBatch() {
    String run = "reconcile-2026-10-07-1";
    cells.load(run, CountMetric.USER, dataset(batch), totals());
    try {
      MetricDrift inClickHouse = cells.compare(run, CountMetric.USER, DAY, totals());
      assertThat(inClickHouse).isEqualTo(DriftCalculator.compare(CountMetric.USER, batch, speed));
      assertThat(inClickHouse.keysOnlyBatch()).isEqualTo(1);
      assertThat(inClickHouse.keysOnlySpeed()).isEqualTo(1);
      assertThat(inClickHouse.keysDifferent()).isEqualTo(3);
      assertThat(inClickHouse.tooLate()).isEqualTo(2);
      assertThat(inClickHouse.notStreamed()).isEqualTo(3);
      assertThat(inClickHouse.missing()).isEqualTo(1);
      assertThat(inClickHouse.overCounted()).isEqualTo(2 + 6 + 1);
      assertThat(inClickHouse.diffs()).extracting(KeyDiff::key)
          .containsExactlyInAnyOrder("user\ttab", "line\nfeed", "ünïcode", "ghost", "user-17");

      cells.stage(run, CountMetric.USER, DAY, CountVersions.batch(1_000L), Instant.parse("2026-10-08T03:00:00Z"), totals());
      Map<WindowKey, Long> staged = new HashMap<>();
      sql.queryEach("SELECT user_id AS k, toUnixTimestamp(window_start) AS ws, count AS c, toString(source) AS s"
              + " FROM {t:Identifier} FINAL", Map.of("t", sql.database() + ".user_page_counts_staging"),
          r -> {
            assertThat(r.get("s")).isEqualTo("batch");
            staged.put(new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000), Long.parseLong(r.get("c")));
          });
      Map<WindowKey, Long> expected = new HashMap<>();
      batch.forEach((k, c) -> expected.put(k, c.count()));
      assertThat(staged).isEqualTo(expected);
    } finally {
      cells.drop(run, DAY);
    }
    assertThat(sql.queryLong("SELECT count() AS n FROM {t:Identifier} WHERE run_id = {run:String}",
        Map.of("t", sql.database() + ".reconcile_cells", "run", run))).isZero();
  }

  @Test
  void refusesToCompareWhenTheLoadDoesNotMatchTheBatchResult() {
    String run = "reconcile-2026-10-07-2";
    try {
      BatchCounts.Totals wrong = new BatchCounts.Totals(totals().rows() + 1, totals().countSum());
      assertThatThrownBy(() -> cells.load(run, CountMetric.USER, dataset(batch), wrong))
          .isInstanceOf(ReconcileException.class)
          .hasMessage("Cannot compare user_page_counts (run " + run + "): reconcile_cells_it.reconcile_cells holds "
              + totals().rows() + " rows (sum " + totals().countSum() + "), batch result " + wrong.rows()
              + " rows (sum " + wrong.countSum() + ")");
    } finally {
      cells.drop(run, DAY);
    }
  }
}
