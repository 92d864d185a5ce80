package io.tidemark.reconcile.store;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.reconcile.ReconcileException;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.DayPartition;
import io.tidemark.schema.clickhouse.PartitionReplacer;
import io.tidemark.reconcile.drift.BatchCell;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The served counts of one day in ClickHouse: reading them as the seed views do, and replacing a
 * day with batch counts through staging ({@link PartitionReplacer}).
 */
public final class ClickHouseCounts {
  private static final int INSERT_CHUNK = 100_000;

  private final ClickHouseSql sql;
  private final PartitionReplacer replacer;

  public ClickHouseCounts(ClickHouseSql sql) {
    this.sql = sql;
    this.replacer = new PartitionReplacer(sql);
  }

  /** The serving table of a metric. */
  public static CountTable table(CountMetric metric) {
    for (CountTable t : CountTable.values()) {
      if (t.viewName().equals(metric.servingTable())) {
        return t;
      }
    }
    throw new IllegalStateException("No ClickHouse count table for metric " + metric);
  }

  /**
   * The day's counts exactly as the seed view shows them: the store with {@code FINAL}, filtered by
   * the day's partition (which lets ClickHouse skip every other day; the view itself would collapse
   * all days first).
   */
  public Map<WindowKey, Long> served(CountMetric metric, LocalDate day) {
    CountTable t = table(metric);
    Map<WindowKey, Long> out = new HashMap<>();
    // Streamed: a day holds about one cell per event, too many to hold as row maps first.
    sql.queryEach(
        "SELECT " + t.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws, count AS c"
            + " FROM {store:Identifier} FINAL WHERE toYYYYMMDD(window_start) = {partition:UInt32}",
        Map.of("store", sql.database() + "." + t.storeTable(), "partition", DayPartition.of(day)),
        r -> out.put(new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000L), Long.parseLong(r.get("c"))));
    return out;
  }

  /**
   * Fills the staging day of {@code metric} with the batch counts at {@code version} and checks it
   * holds exactly as many rows and as large a sum as the batch. Touches staging only.
   *
   * @throws ReconcileException when the check fails ("Cannot replace partition ...: staging holds")
   */
  public void stage(CountMetric metric, LocalDate day, Map<WindowKey, BatchCell> batch, long version, Instant writtenAt) {
    CountTable t = table(metric);
    replacer.clearStagingDay(t, day);
    List<Map<String, Object>> chunk = new ArrayList<>(Math.min(INSERT_CHUNK, batch.size()));
    long sum = 0;
    for (Map.Entry<WindowKey, BatchCell> e : batch.entrySet()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(t.keyColumn(), e.getKey().key());
      row.put("window_start", Instant.ofEpochMilli(e.getKey().windowStart()));
      row.put("count", e.getValue().count());
      row.put("version", version);
      row.put("source", "batch");
      row.put("written_at", writtenAt);
      chunk.add(row);
      sum += e.getValue().count();
      if (chunk.size() == INSERT_CHUNK) {
        sql.insertJsonEachRow(sql.database() + "." + t.stagingTable(), chunk);
        chunk.clear();
      }
    }
    sql.insertJsonEachRow(sql.database() + "." + t.stagingTable(), chunk);
    PartitionReplacer.DayStats staged = replacer.stagingDayStats(t, day);
    if (staged.rows() != batch.size() || staged.countSum() != sum) {
      throw new ReconcileException("Cannot replace partition " + DayPartition.of(day) + " of " + t.viewName()
          + ": staging holds " + staged.rows() + " rows (sum " + staged.countSum() + "), batch result "
          + batch.size() + " rows (sum " + sum + ")", true);
    }
  }

  /** Swaps the staged day into the store (atomic per table), see {@link PartitionReplacer#replaceDay}. */
  public void replace(CountMetric metric, LocalDate day) {
    replacer.replaceDay(table(metric), day);
  }

  /** Drops the staging day. Idempotent. */
  public void clearStaging(CountMetric metric, LocalDate day) {
    replacer.clearStagingDay(table(metric), day);
  }

  /** Rows and sum of the served day. */
  public PartitionReplacer.DayStats servedStats(CountMetric metric, LocalDate day) {
    return replacer.storeDayStats(table(metric), day);
  }

  /** The version of a reconcile run's rows: {@link CountVersions#batch} of the run's epoch ms. */
  public static long batchVersion(Instant runStart) {
    return CountVersions.batch(runStart.toEpochMilli());
  }
}
