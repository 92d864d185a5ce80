package io.tidemark.reconcile.store;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.reconcile.ReconcileException;
import io.tidemark.reconcile.drift.BatchCell;
import io.tidemark.reconcile.drift.DriftCalculator;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.DayPartition;
import io.tidemark.schema.clickhouse.PartitionReplacer;
import io.tidemark.schema.clickhouse.StreamingInsert;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One reconcile run's copy of the batch result in ClickHouse ({@code reconcile_cells}, one
 * partition per run): loaded once from Iceberg by Spark tasks in parallel, checked, compared with
 * the served day in SQL, and copied into the staging table that replaces the day. The comparison
 * therefore never holds a day's cells in the JVM: only the cells that differ or exist on one side
 * come back ({@link #compare}).
 *
 * <p>A dry run uses its own partition (run id ending in {@code -dry}) and never the staging table,
 * so it needs no lock. {@link #drop} removes a run's partition (idempotent); the partitions a killed
 * run of a day left are removed by the next locked run of that day ({@link #dropOtherRuns}), and
 * any partition, dry runs' included, once it is a day old ({@link #dropAbandoned}).
 */
public final class ReconcileCells {
  static final String TABLE = "reconcile_cells";
  /** A partition as system.parts writes it: {@code (20260115,'reconcile-2026-01-15-1768435200000')}. */
  private static final Pattern RUN_PARTITION =
      Pattern.compile("\\((\\d{8}),\\s*'(reconcile-\\d{4}-\\d{2}-\\d{2}-\\d+(?:-dry)?)'\\)");

  private final ClickHouseSql sql;
  private final PartitionReplacer replacer;

  public ReconcileCells(ClickHouseSql sql) {
    this.sql = sql;
    this.replacer = new PartitionReplacer(sql);
  }

  private String table() {
    return sql.database() + "." + TABLE;
  }

  /**
   * Loads one metric's batch cells ({@link BatchCounts#cells}) under {@code runId} and checks that
   * ClickHouse holds exactly the batch's rows and sum; a retried Spark task may have inserted a
   * block twice, which the check turns into a retryable failure.
   *
   * @throws ReconcileException when the loaded rows or sum differ from {@code expected}
   */
  public void load(String runId, CountMetric metric, Dataset<Row> cells, BatchCounts.Totals expected) {
    cells.foreachPartition(new PartitionLoader(sql.endpoint(), table(), runId, metric.servingTable()));
    PartitionReplacer.DayStats loaded = stats(runId, metric);
    if (loaded.rows() != expected.rows() || loaded.countSum() != expected.countSum()) {
      throw new ReconcileException("Cannot compare " + metric.servingTable() + " (run " + runId + "): "
          + table() + " holds " + loaded.rows() + " rows (sum " + loaded.countSum() + "), batch result "
          + expected.rows() + " rows (sum " + expected.countSum() + ")", true);
    }
  }

  private PartitionReplacer.DayStats stats(String runId, CountMetric metric) {
    List<Map<String, String>> r = sql.queryRows(
        "SELECT count() AS n, sum(count) AS total FROM {t:Identifier} WHERE run_id = {run:String} AND metric = {m:String}",
        Map.of("t", table(), "run", runId, "m", metric.servingTable()));
    return new PartitionReplacer.DayStats(Long.parseLong(r.get(0).get("n")), Long.parseLong(r.get(0).get("total")));
  }

  /**
   * Compares the run's cells of {@code metric} with the served day (the store with {@code FINAL},
   * as the seed view shows it) in one ClickHouse query, and splits the differences into causes
   * with {@link DriftCalculator}.
   */
  public MetricDrift compare(String runId, CountMetric metric, LocalDate day, BatchCounts.Totals batch) {
    CountTable t = CountTable.of(metric);
    PartitionReplacer.DayStats served = replacer.storeDayStats(t, day);
    DriftCalculator.Builder drift =
        DriftCalculator.builder(metric, batch.rows(), served.rows(), batch.countSum(), served.countSum());
    sql.queryEach(
        "SELECT key, toUnixTimestamp(ws) AS ws_s, b, s, in_batch, in_speed, tl, ns FROM ("
            + " SELECT key, ws, sum(bc) AS b, sum(sc) AS s, max(ib) AS in_batch, max(isp) AS in_speed,"
            + " sum(tlc) AS tl, sum(nsc) AS ns FROM ("
            + " SELECT key, window_start AS ws, count AS bc, toUInt64(0) AS sc, toUInt8(1) AS ib, toUInt8(0) AS isp,"
            + " too_late AS tlc, not_streamed AS nsc FROM {cells:Identifier}"
            + " WHERE run_id = {run:String} AND metric = {m:String}"
            + " UNION ALL"
            + " SELECT {key:Identifier} AS key, window_start AS ws, toUInt64(0) AS bc, count AS sc, toUInt8(0) AS ib,"
            + " toUInt8(1) AS isp, toUInt64(0) AS tlc, toUInt64(0) AS nsc FROM {store:Identifier} FINAL"
            + " WHERE toYYYYMMDD(window_start) = {partition:UInt32}"
            + ") GROUP BY key, ws) WHERE in_batch = 0 OR in_speed = 0 OR b != s",
        Map.of("cells", table(), "run", runId, "m", metric.servingTable(), "key", t.keyColumn(),
            "store", sql.database() + "." + t.storeTable(), "partition", DayPartition.of(day)),
        r -> drift.cell(new WindowKey(r.get("key"), Long.parseLong(r.get("ws_s")) * 1000L),
            "1".equals(r.get("in_batch"))
                ? new BatchCell(Long.parseLong(r.get("b")), Long.parseLong(r.get("tl")), Long.parseLong(r.get("ns")))
                : null,
            "1".equals(r.get("in_speed")) ? Long.valueOf(r.get("s")) : null));
    return drift.build();
  }

  /**
   * Fills the staging day of {@code metric} from the run's cells at {@code version} (in ClickHouse,
   * {@code INSERT ... SELECT}) and checks it holds exactly the batch's rows and sum. Touches staging
   * only; the caller holds the day's lock.
   *
   * @throws ReconcileException when the check fails ("Cannot replace partition ...: staging holds")
   */
  public void stage(String runId, CountMetric metric, LocalDate day, long version, Instant writtenAt,
      BatchCounts.Totals batch) {
    CountTable t = CountTable.of(metric);
    replacer.clearStagingDay(t, day);
    sql.execute("INSERT INTO {staging:Identifier} (" + t.keyColumn() + ", window_start, count, version, source, written_at)"
            + " SELECT key, window_start, count, {version:UInt64}, 'batch', toDateTime({written:UInt32}, 'UTC')"
            + " FROM {cells:Identifier} WHERE run_id = {run:String} AND metric = {m:String}",
        Map.of("staging", sql.database() + "." + t.stagingTable(), "version", version,
            "written", writtenAt.getEpochSecond(), "cells", table(), "run", runId, "m", metric.servingTable()));
    PartitionReplacer.DayStats staged = replacer.stagingDayStats(t, day);
    if (staged.rows() != batch.rows() || staged.countSum() != batch.countSum()) {
      throw new ReconcileException("Cannot replace partition " + DayPartition.of(day) + " of " + t.viewName()
          + ": staging holds " + staged.rows() + " rows (sum " + staged.countSum() + "), batch result "
          + batch.rows() + " rows (sum " + batch.countSum() + ")", true);
    }
  }

  /** Drops the run's partition. Idempotent. */
  public void drop(String runId, LocalDate day) {
    drop(DayPartition.of(day), runId);
  }

  private void drop(long partition, String runId) {
    sql.execute("ALTER TABLE {t:Identifier} DROP PARTITION ({p:UInt32}, {run:String})",
        Map.of("t", table(), "p", partition, "run", runId));
  }

  /** Drops the partitions of runs that last changed more than a day ago (runs that died). */
  public void dropAbandoned() {
    for (Map<String, String> r : sql.queryRows(
        "SELECT DISTINCT partition FROM system.parts WHERE database = {db:String} AND table = {t:String}"
            + " AND active AND modification_time < now() - 86400",
        Map.of("db", sql.database(), "t", TABLE))) {
      java.util.regex.Matcher m = RUN_PARTITION.matcher(r.get("partition"));
      if (m.matches()) {
        drop(Long.parseLong(m.group(1)), m.group(2));
      }
    }
  }

  /**
   * Drops the partitions of {@code day} that belong to other non-dry runs than {@code runId}. Only
   * for a run holding the day's lock: then any other non-dry run of the day has died (or lost its
   * lease and stops before it changes the day), and its cells are leftovers. Dry runs' partitions
   * are kept (a dry run takes no lock and may be comparing right now). Idempotent.
   *
   * @return the run ids whose partitions were dropped
   */
  public List<String> dropOtherRuns(LocalDate day, String runId) {
    List<String> dropped = new java.util.ArrayList<>();
    for (String run : runs(day)) {
      if (!run.equals(runId) && !run.endsWith("-dry")) {
        drop(DayPartition.of(day), run);
        dropped.add(run);
      }
    }
    return dropped;
  }

  /** The run ids that have a partition (active parts) of {@code day}, sorted. */
  public List<String> runs(LocalDate day) {
    List<String> runs = new java.util.ArrayList<>();
    for (Map<String, String> r : sql.queryRows(
        "SELECT DISTINCT partition FROM system.parts WHERE database = {db:String} AND table = {t:String}"
            + " AND active ORDER BY partition",
        Map.of("db", sql.database(), "t", TABLE))) {
      java.util.regex.Matcher m = RUN_PARTITION.matcher(r.get("partition"));
      if (m.matches() && Long.parseLong(m.group(1)) == DayPartition.of(day)) {
        runs.add(m.group(2));
      }
    }
    return runs;
  }

  /**
   * Writes one Spark partition of cells as one RowBinary insert streamed over HTTP ({@link
   * StreamingInsert}): no text formatting or escaping here and no parsing in ClickHouse. The
   * bench's transfer floor measured it against the TabSeparated requests of 500,000 rows used
   * before (docs/batch-and-reconcile.md).
   */
  private record PartitionLoader(ClickHouseSql.Endpoint endpoint, String table, String runId, String metric)
      implements ForeachPartitionFunction<Row> {
    @Override
    public void call(Iterator<Row> rows) {
      if (!rows.hasNext()) {
        return;
      }
      byte[] run = runId.getBytes(StandardCharsets.UTF_8);
      byte[] name = metric.getBytes(StandardCharsets.UTF_8);
      try (StreamingInsert in = StreamingInsert.open(endpoint, table)) {
        while (rows.hasNext()) {
          Row r = rows.next();
          in.writeBytes(run).writeBytes(name).writeString(r.getString(0))
              .writeDateTime(Math.floorDiv(r.getLong(1), 1000L)).writeUInt64(r.getLong(2)).writeUInt64(r.getLong(3))
              .writeUInt64(r.getLong(4)).endRow();
        }
        in.finish();
      } catch (StoreException e) {
        throw new ReconcileException("Cannot load batch cells of " + metric + " into " + table + ": "
            + e.getMessage(), true, e);
      }
    }
  }
}
