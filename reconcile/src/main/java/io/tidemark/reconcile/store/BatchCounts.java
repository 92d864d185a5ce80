package io.tidemark.reconcile.store;

import io.tidemark.batch.table.BatchTables;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.drift.BatchCell;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The batch layer's result for one day, read from its Iceberg tables: the counts of both metrics
 * and the {@code batch_runs} row that describes them.
 *
 * @param runId the batch run whose counts these are
 * @param counts per metric, (key, window) to batch cell
 */
public record BatchCounts(
    LocalDate day, String runId, long lakeSnapshotId, Map<CountMetric, Map<WindowKey, BatchCell>> counts,
    Map<String, Long> invalidByReason) {

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
    Map<CountMetric, Map<WindowKey, BatchCell>> counts = new java.util.EnumMap<>(CountMetric.class);
    Set<String> runIds = new TreeSet<>();
    for (CountMetric metric : CountMetric.values()) {
      Map<WindowKey, BatchCell> cells = new HashMap<>();
      Iterator<Row> it = spark.sql("SELECT " + metric.keyColumn() + ", unix_millis(window_start), count, too_late,"
          + " not_streamed, batch_run_id FROM " + tables.counts(metric)
          + " WHERE window_start >= timestamp_millis(" + Windows.dayStartMs(day) + ")"
          + " AND window_start < timestamp_millis(" + Windows.dayEndMs(day) + ")").toLocalIterator();
      while (it.hasNext()) {
        Row r = it.next();
        cells.put(new WindowKey(r.getString(0), r.getLong(1)), new BatchCell(r.getLong(2), r.getLong(3), r.getLong(4)));
        runIds.add(r.getString(5));
      }
      counts.put(metric, cells);
    }
    if (!runIds.isEmpty() && !runIds.equals(Set.of(runId))) {
      return null;
    }
    return new BatchCounts(day, runId, snapshot, counts, invalid);
  }
}
