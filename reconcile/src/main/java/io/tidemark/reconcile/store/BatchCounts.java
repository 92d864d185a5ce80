package io.tidemark.reconcile.store;

import io.tidemark.batch.table.BatchTables;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.drift.BatchCell;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The batch layer's latest complete result for one day, as its Iceberg tables hold it: the {@code
 * batch_runs} row that describes it and, per metric, how many cells it has and what they sum to.
 * The cells themselves stay in Iceberg ({@link #cells}): a day has about one cell per event, far too
 * many to hold in the driver.
 *
 * @param runId the batch run whose counts these are
 * @param totals per metric, the day's cell count and count sum
 */
public record BatchCounts(
    LocalDate day, String runId, long lakeSnapshotId, Map<CountMetric, Totals> totals,
    Map<String, Long> invalidByReason) {

  /** Cells and the sum of their counts. */
  public record Totals(long rows, long countSum) {}

  public BatchCounts {
    totals = Map.copyOf(totals);
    invalidByReason = Map.copyOf(new TreeMap<>(invalidByReason));
  }

  /**
   * Reads the latest complete batch result of {@code day}, or {@code null} when there is none or
   * the count tables and {@code batch_runs} disagree (a batch run died between its commits).
   */
  public static BatchCounts read(SparkSession spark, BatchTables tables, LocalDate day) {
    if (!spark.catalog().tableExists(tables.runs())) {
      return null;
    }
    List<Row> runs = spark.sql("SELECT run_id, lake_snapshot_id, invalid_by_reason FROM " + tables.runs()
        + " WHERE day = DATE'" + day + "' ORDER BY finished_at DESC, run_id DESC LIMIT 1").collectAsList();
    if (runs.isEmpty()) {
      return null;
    }
    String runId = runs.get(0).getString(0);
    long snapshot = runs.get(0).getLong(1);
    Map<String, Long> invalid = new TreeMap<>();
    if (!runs.get(0).isNullAt(2)) {
      Map<String, Long> m = runs.get(0).getJavaMap(2);
      invalid.putAll(m);
    }
    Map<CountMetric, Totals> totals = new EnumMap<>(CountMetric.class);
    for (CountMetric metric : CountMetric.values()) {
      // One aggregate per table: figures for the checks, and whether every cell is this run's (the
      // lowest and the highest run id are both this run's; unlike count(DISTINCT ...), which costs
      // Spark a second aggregation and shuffle, min and max fold into one pass).
      Row r = spark.sql("SELECT count(*), coalesce(sum(count), 0), min(batch_run_id), max(batch_run_id) FROM "
          + tables.counts(metric) + " WHERE " + dayFilter(day)).first();
      long rows = r.getLong(0);
      if (rows > 0 && (!runId.equals(r.getString(2)) || !runId.equals(r.getString(3)))) {
        return null;
      }
      totals.put(metric, new Totals(rows, r.getLong(1)));
    }
    return new BatchCounts(day, runId, snapshot, totals, invalid);
  }

  /**
   * The day's cells of one metric as a Dataset: {@code key, window_start_ms, count, too_late,
   * not_streamed}.
   */
  public Dataset<Row> cells(SparkSession spark, BatchTables tables, CountMetric metric) {
    return spark.sql("SELECT " + metric.keyColumn() + " AS key, unix_millis(window_start) AS window_start_ms,"
        + " count, too_late, not_streamed FROM " + tables.counts(metric) + " WHERE " + dayFilter(day));
  }

  /** The day's cells of one metric in the driver, for tests and small days. */
  public Map<WindowKey, BatchCell> collectCells(SparkSession spark, BatchTables tables, CountMetric metric) {
    Map<WindowKey, BatchCell> out = new HashMap<>();
    for (Row r : cells(spark, tables, metric).collectAsList()) {
      out.put(new WindowKey(r.getString(0), r.getLong(1)), new BatchCell(r.getLong(2), r.getLong(3), r.getLong(4)));
    }
    return out;
  }

  private static String dayFilter(LocalDate day) {
    return "window_start >= timestamp_millis(" + Windows.dayStartMs(day) + ")"
        + " AND window_start < timestamp_millis(" + Windows.dayEndMs(day) + ")";
  }
}
