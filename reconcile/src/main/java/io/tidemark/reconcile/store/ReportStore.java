package io.tidemark.reconcile.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.KeyDiff;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.DayPartition;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drift reports and day status in ClickHouse (migration 2): {@code drift_reports} (one row per
 * run), {@code drift_report_metrics} (per metric), {@code drift_report_keys} (every differing
 * cell) and {@code day_status} (ReplacingMergeTree, read with {@code FINAL}).
 *
 * <p>Writes are plain inserts, not transactional: a report is written after the run's ClickHouse
 * changes, keys first and the {@code drift_reports} row last, so a listed report always has its
 * detail. A run that dies before its report leaves no report; the rerun writes its own.
 */
public final class ReportStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final int CHUNK = 100_000;

  private final ClickHouseSql sql;

  public ReportStore(ClickHouseSql sql) {
    this.sql = sql;
  }

  private String t(String table) {
    return sql.database() + "." + table;
  }

  /** Stores a report with every differing cell. */
  public void write(DriftReport r, int top) {
    Instant dayStart = Instant.ofEpochMilli(Windows.dayStartMs(r.day()));
    List<Map<String, Object>> keys = new ArrayList<>();
    for (CountMetric m : CountMetric.values()) {
      for (KeyDiff d : r.metrics().get(m).diffs()) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("run_id", r.runId());
        k.put("day", r.day());
        k.put("metric", m.servingTable());
        k.put("key", d.key());
        k.put("window_start", Instant.ofEpochMilli(d.windowStart()));
        k.put("batch_count", d.batch());
        k.put("speed_count", d.speed());
        k.put("diff", d.diff());
        k.put("too_late", d.tooLate());
        k.put("cause", d.cause());
        keys.add(k);
        if (keys.size() == CHUNK) {
          sql.insertJsonEachRow(t("drift_report_keys"), keys);
          keys.clear();
        }
      }
    }
    sql.insertJsonEachRow(t("drift_report_keys"), keys);
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (CountMetric m : CountMetric.values()) {
      MetricDrift d = r.metrics().get(m);
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("run_id", r.runId());
      x.put("day", r.day());
      x.put("window_start", dayStart);
      x.put("metric", m.servingTable());
      x.put("batch_rows", d.batchRows());
      x.put("speed_rows", d.speedRows());
      x.put("batch_total", d.batchTotal());
      x.put("speed_total", d.speedTotal());
      x.put("keys_only_speed", d.keysOnlySpeed());
      x.put("keys_only_batch", d.keysOnlyBatch());
      x.put("keys_different", d.keysDifferent());
      x.put("abs_drift", d.absDrift());
      x.put("relative_drift", d.relativeDrift());
      x.put("too_late_events", d.tooLate());
      x.put("not_streamed_events", d.notStreamed());
      x.put("missing_events", d.missing());
      x.put("over_counted_events", d.overCounted());
      x.put("replaced", r.outcome() == DriftReport.Outcome.REPLACED ? 1 : 0);
      metrics.add(x);
    }
    sql.insertJsonEachRow(t("drift_report_metrics"), metrics);
    MetricDrift h = r.headline();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("run_id", r.runId());
    row.put("day", r.day());
    row.put("window_start", dayStart);
    row.put("started_at", r.startedAt());
    row.put("finished_at", r.finishedAt());
    row.put("outcome", r.outcome().code());
    row.put("dry_run", r.dryRun() ? 1 : 0);
    row.put("forced", r.forced() ? 1 : 0);
    row.put("drifted", r.drifted() ? 1 : 0);
    row.put("lake_snapshot_id", r.lakeSnapshotId());
    row.put("batch_run_id", r.batchRunId());
    row.put("batch_total", h.batchTotal());
    row.put("speed_total", h.speedTotal());
    row.put("abs_drift", h.absDrift());
    row.put("relative_drift", h.relativeDrift());
    row.put("too_late_events", h.tooLate());
    row.put("not_streamed_events", h.notStreamed());
    row.put("missing_events", h.missing());
    row.put("over_counted_events", h.overCounted());
    row.put("invalid_records", r.invalidRecords());
    try {
      row.put("report_json", JSON.writeValueAsString(r.toMap(top)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    sql.insertJsonEachRow(t("drift_reports"), List.of(row));
  }

  /** Stored reports of days in {@code [from, to]}, newest day and run first. */
  public List<Map<String, String>> list(LocalDate from, LocalDate to) {
    return sql.queryRows(
        "SELECT run_id, toString(day) AS day_text, started_at, outcome, drifted, lake_snapshot_id, batch_total,"
            + " speed_total, abs_drift, relative_drift, too_late_events, not_streamed_events, missing_events,"
            + " over_counted_events, invalid_records FROM {t:Identifier}"
            + " WHERE day >= {from:Date} AND day <= {to:Date} ORDER BY day DESC, started_at DESC, run_id DESC",
        Map.of("t", t("drift_reports"), "from", from, "to", to));
  }

  /** The latest report of a day as stored JSON, or {@code null}. */
  public Map<String, String> latest(LocalDate day) {
    List<Map<String, String>> rows = sql.queryRows(
        "SELECT run_id, report_json FROM {t:Identifier} WHERE day = {day:Date}"
            + " ORDER BY started_at DESC, run_id DESC LIMIT 1",
        Map.of("t", t("drift_reports"), "day", day));
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The {@code limit} largest stored differences of a run, per metric. */
  public List<Map<String, String>> keys(String runId, LocalDate day, int limit) {
    return sql.queryRows(
        "SELECT metric, key, toString(window_start) AS window_text, batch_count, speed_count, diff, cause"
            + " FROM {t:Identifier} WHERE day = {day:Date} AND run_id = {run:String}"
            + " ORDER BY metric, abs(diff) DESC, key, window_start LIMIT {n:UInt32} BY metric",
        Map.of("t", t("drift_report_keys"), "day", day, "run", runId, "n", limit));
  }

  /** Marks a day reconciled (a new status version; the highest version is current). */
  public void markReconciled(LocalDate day, Instant at, long lakeSnapshotId, String runId) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("day", day);
    row.put("window_start", Instant.ofEpochMilli(Windows.dayStartMs(day)));
    row.put("status", "reconciled");
    row.put("changed_at", at);
    row.put("lake_snapshot_id", lakeSnapshotId);
    row.put("run_id", runId);
    row.put("version", at.toEpochMilli());
    sql.insertJsonEachRow(t("day_status"), List.of(row));
  }

  /** The status of one day: speed-only unless a reconcile marked it. */
  public DayStatus status(LocalDate day) {
    List<Map<String, String>> rows = sql.queryRows(
        "SELECT toString(status) AS status, changed_at, lake_snapshot_id, run_id FROM {t:Identifier} FINAL"
            + " WHERE day = {day:Date}",
        Map.of("t", t("day_status"), "day", day));
    if (rows.isEmpty() || !"reconciled".equals(rows.get(0).get("status"))) {
      return DayStatus.speedOnly(day);
    }
    Map<String, String> r = rows.get(0);
    return new DayStatus(day, true, chTime(r.get("changed_at")), Long.parseLong(r.get("lake_snapshot_id")), r.get("run_id"));
  }

  /**
   * The status of every day in {@code [from, to]} that has served counts or a status, oldest first:
   * days with data and no status row are listed as speed-only, so the boundary is explicit.
   */
  public List<DayStatus> statuses(LocalDate from, LocalDate to) {
    Map<LocalDate, DayStatus> out = new TreeMap<>();
    for (CountTable table : CountTable.values()) {
      for (Map<String, String> r : sql.queryRows(
          "SELECT DISTINCT partition FROM system.parts WHERE database = {db:String} AND table = {t:String}"
              + " AND active",
          Map.of("db", sql.database(), "t", table.storeTable()))) {
        String p = r.get("partition");
        LocalDate d = LocalDate.of(Integer.parseInt(p.substring(0, 4)), Integer.parseInt(p.substring(4, 6)),
            Integer.parseInt(p.substring(6, 8)));
        if (!d.isBefore(from) && !d.isAfter(to)) {
          out.put(d, DayStatus.speedOnly(d));
        }
      }
    }
    for (Map<String, String> r : sql.queryRows(
        "SELECT toString(day) AS day_text FROM {t:Identifier} FINAL WHERE day >= {from:Date} AND day <= {to:Date}",
        Map.of("t", t("day_status"), "from", from, "to", to))) {
      LocalDate d = LocalDate.parse(r.get("day_text"));
      out.put(d, status(d));
    }
    return new ArrayList<>(out.values());
  }

  static Instant chTime(String s) {
    return LocalDateTime.parse(s, CH_TIME).toInstant(ZoneOffset.UTC);
  }

  /** Partition value of a day, for messages. */
  static int partition(LocalDate day) {
    return DayPartition.of(day);
  }
}
