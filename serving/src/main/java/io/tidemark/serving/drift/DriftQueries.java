package io.tidemark.serving.drift;

import static io.tidemark.serving.drift.DriftTables.ABS_DRIFT;
import static io.tidemark.serving.drift.DriftTables.BATCH_COUNT;
import static io.tidemark.serving.drift.DriftTables.BATCH_ROWS;
import static io.tidemark.serving.drift.DriftTables.BATCH_TOTAL;
import static io.tidemark.serving.drift.DriftTables.CAUSE;
import static io.tidemark.serving.drift.DriftTables.CHANGED_AT;
import static io.tidemark.serving.drift.DriftTables.DAY;
import static io.tidemark.serving.drift.DriftTables.DAY_STATUS;
import static io.tidemark.serving.drift.DriftTables.DIFF;
import static io.tidemark.serving.drift.DriftTables.DRIFTED;
import static io.tidemark.serving.drift.DriftTables.DRY_RUN;
import static io.tidemark.serving.drift.DriftTables.FINISHED_AT;
import static io.tidemark.serving.drift.DriftTables.FORCED;
import static io.tidemark.serving.drift.DriftTables.INVALID_RECORDS;
import static io.tidemark.serving.drift.DriftTables.KEY;
import static io.tidemark.serving.drift.DriftTables.KEYS;
import static io.tidemark.serving.drift.DriftTables.KEYS_DIFFERENT;
import static io.tidemark.serving.drift.DriftTables.KEYS_ONLY_BATCH;
import static io.tidemark.serving.drift.DriftTables.KEYS_ONLY_SPEED;
import static io.tidemark.serving.drift.DriftTables.METRIC;
import static io.tidemark.serving.drift.DriftTables.METRICS;
import static io.tidemark.serving.drift.DriftTables.MISSING_EVENTS;
import static io.tidemark.serving.drift.DriftTables.NOT_STREAMED_EVENTS;
import static io.tidemark.serving.drift.DriftTables.OUTCOME;
import static io.tidemark.serving.drift.DriftTables.OVER_COUNTED_EVENTS;
import static io.tidemark.serving.drift.DriftTables.RELATIVE_DRIFT;
import static io.tidemark.serving.drift.DriftTables.REPLACED;
import static io.tidemark.serving.drift.DriftTables.REPORTS;
import static io.tidemark.serving.drift.DriftTables.RUN_ID;
import static io.tidemark.serving.drift.DriftTables.SPEED_COUNT;
import static io.tidemark.serving.drift.DriftTables.SPEED_ROWS;
import static io.tidemark.serving.drift.DriftTables.SPEED_TOTAL;
import static io.tidemark.serving.drift.DriftTables.STARTED_AT;
import static io.tidemark.serving.drift.DriftTables.STATUS;
import static io.tidemark.serving.drift.DriftTables.TOO_LATE_EVENTS;
import static io.tidemark.serving.drift.DriftTables.WINDOW_START;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.serving.query.ClickHouseReader;
import io.tidemark.serving.query.ClickHouseTimes;
import io.tidemark.schema.clickhouse.SqlParameters;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drift reports as the API serves them: a list (newest day first, the latest run of each day) and
 * one day's detail (the run, its per-metric figures, cause breakdown, largest per-key differences
 * and the day's status). Answers {@code available: false} with empty lists when the tables are
 * absent, so the dashboard can show an empty state before reconciliation exists.
 */
public final class DriftQueries {
  private static final String EXISTING_TABLES =
      "SELECT name FROM system.tables WHERE database = {db:String}"
          + " AND (name = {reports:String} OR name = {metrics:String} OR name = {keys:String} OR name = {status:String})";

  private static final String RUN_COLUMNS =
      String.join(", ", RUN_ID, DAY, STARTED_AT, FINISHED_AT, OUTCOME, DRY_RUN,
          FORCED, DRIFTED, BATCH_TOTAL, SPEED_TOTAL, ABS_DRIFT, RELATIVE_DRIFT, TOO_LATE_EVENTS,
          NOT_STREAMED_EVENTS, MISSING_EVENTS, OVER_COUNTED_EVENTS, INVALID_RECORDS);

  /** Latest run per day since a day, newest day first. */
  private static final String LIST =
      "SELECT " + RUN_COLUMNS + " FROM {t:Identifier}"
          + " WHERE " + DAY + " >= {since:Date}"
          + " ORDER BY " + DAY + " DESC, " + STARTED_AT + " DESC, " + RUN_ID + " DESC"
          + " LIMIT 1 BY " + DAY
          + " LIMIT {limit:UInt32}";

  private static final String DAY_RUN =
      "SELECT " + RUN_COLUMNS + " FROM {t:Identifier}"
          + " WHERE " + DAY + " = {day:Date}"
          + " ORDER BY " + STARTED_AT + " DESC, " + RUN_ID + " DESC LIMIT 1";

  private static final String RUN_METRICS =
      "SELECT " + String.join(", ", METRIC, BATCH_ROWS, SPEED_ROWS, BATCH_TOTAL, SPEED_TOTAL, KEYS_ONLY_SPEED,
          KEYS_ONLY_BATCH, KEYS_DIFFERENT, ABS_DRIFT, RELATIVE_DRIFT, TOO_LATE_EVENTS, NOT_STREAMED_EVENTS,
          MISSING_EVENTS, OVER_COUNTED_EVENTS, REPLACED)
          + " FROM {t:Identifier} WHERE " + DAY + " = {day:Date} AND " + RUN_ID + " = {run:String}"
          + " ORDER BY " + METRIC;

  private static final String KEY_CAUSES =
      "SELECT " + METRIC + ", " + CAUSE + ", count() AS windows, sum(abs(" + DIFF + ")) AS events"
          + " FROM {t:Identifier} WHERE " + DAY + " = {day:Date} AND " + RUN_ID + " = {run:String}"
          + " GROUP BY " + METRIC + ", " + CAUSE + " ORDER BY " + METRIC + ", events DESC, " + CAUSE;

  private static final String TOP_KEYS =
      "SELECT " + String.join(", ", METRIC, KEY, WINDOW_START, SPEED_COUNT, BATCH_COUNT, DIFF, CAUSE)
          + " FROM {t:Identifier} WHERE " + DAY + " = {day:Date} AND " + RUN_ID + " = {run:String}"
          + " ORDER BY abs(" + DIFF + ") DESC, " + METRIC + ", " + KEY + ", " + WINDOW_START
          + " LIMIT {limit:UInt32}";

  private static final String STATUS_OF_DAY =
      "SELECT toString(" + STATUS + ") AS " + STATUS + ", " + CHANGED_AT + ", " + RUN_ID
          + " FROM {t:Identifier} FINAL WHERE " + DAY + " = {day:Date}";

  private final ClickHouseReader reader;

  /**
   * Every query of this class bound with representative parameters for tables in {@code
   * database}, by name, for the current-engine test (see {@code ServingQueries#boundForCheck}).
   */
  public static Map<String, String> boundForCheck(String database) {
    LocalDate day = LocalDate.parse("2026-11-24");
    Map<String, String> out = new LinkedHashMap<>();
    out.put("drift_tables", SqlParameters.bind(EXISTING_TABLES,
        Map.of("db", database, "reports", REPORTS, "metrics", METRICS, "keys", KEYS, "status", DAY_STATUS)));
    out.put("drift_list", SqlParameters.bind(LIST, Map.of("t", database + "." + REPORTS, "since", day.minusDays(29), "limit", 100L)));
    out.put("drift_day", SqlParameters.bind(DAY_RUN, Map.of("t", database + "." + REPORTS, "day", day)));
    out.put("drift_metrics", SqlParameters.bind(RUN_METRICS, Map.of("t", database + "." + METRICS, "day", day, "run", "run-2")));
    out.put("drift_key_causes", SqlParameters.bind(KEY_CAUSES, Map.of("t", database + "." + KEYS, "day", day, "run", "run-2")));
    out.put("drift_keys", SqlParameters.bind(TOP_KEYS, Map.of("t", database + "." + KEYS, "day", day, "run", "run-2", "limit", 20L)));
    out.put("drift_day_status", SqlParameters.bind(STATUS_OF_DAY, Map.of("t", database + "." + DAY_STATUS, "day", day)));
    return out;
  }

  public DriftQueries(ClickHouseReader reader) {
    this.reader = reader;
  }

  /** Events by cause, as reconciliation classified them for a run. */
  public record Causes(long tooLate, long notStreamed, long missing, long overCounted, long invalidRecords) {}

  /**
   * One metric's drift split into causes, in events; the four add up to the metric's {@code
   * abs_drift}. Exact, unlike grouping the per-key rows by their cause label, where a window with
   * two causes ({@code too-late+missing-from-speed}) has one label for its whole difference.
   */
  public record MetricCauses(long tooLate, long notStreamed, long missing, long overCounted) {}

  /** One reconcile run of one day. */
  public record Run(
      String runId, String day, String startedAt, String finishedAt, String outcome, boolean dryRun,
      boolean forced, boolean drifted, long batchTotal, long speedTotal, long absDrift, double relativeDrift,
      Causes causes) {}

  public record RunList(boolean available, String message, List<Run> reports) {}

  public record MetricFigures(
      String metric, long batchRows, long speedRows, long batchTotal, long speedTotal, long keysOnlySpeed,
      long keysOnlyBatch, long keysDifferent, long absDrift, double relativeDrift, MetricCauses causes, boolean replaced) {}

  public record KeyCause(String metric, String cause, long windows, long events) {}

  public record KeyDiff(String metric, String key, String windowStart, long speedCount, long batchCount, long diff, String cause) {}

  public record DayStatus(String status, String changedAt, String runId) {}

  public record DayDetail(
      boolean available, String message, String day, DayStatus status, Run run, List<MetricFigures> metrics,
      List<KeyCause> keyCauses, List<KeyDiff> largest) {}

  /** The latest run of each day since {@code since}, newest day first. */
  public RunList list(LocalDate since, int limit) {
    Set<String> tables = existingTables();
    if (!tables.contains(REPORTS)) {
      return new RunList(false, absent(), List.of());
    }
    List<Run> runs = new ArrayList<>();
    for (JsonNode row : reader.query("drift_list", LIST, Map.of("t", reader.table(REPORTS), "since", since, "limit", (long) limit))) {
      runs.add(run(row));
    }
    return new RunList(true, runs.isEmpty() ? "No drift reports since " + since + "." : null, runs);
  }

  /** One day: its latest run, the run's per-metric figures, causes and largest differences. */
  public DayDetail day(LocalDate day, int limit) {
    Set<String> tables = existingTables();
    if (!tables.contains(REPORTS)) {
      return new DayDetail(false, absent(), day.toString(), null, null, List.of(), List.of(), List.of());
    }
    DayStatus status = null;
    if (tables.contains(DAY_STATUS)) {
      List<JsonNode> s = reader.query("drift_day_status", STATUS_OF_DAY, Map.of("t", reader.table(DAY_STATUS), "day", day));
      if (!s.isEmpty()) {
        status = new DayStatus(s.get(0).get(STATUS).asText(), ClickHouseTimes.iso(s.get(0).get(CHANGED_AT).asText()), s.get(0).get(RUN_ID).asText());
      }
    }
    List<JsonNode> runRows = reader.query("drift_day", DAY_RUN, Map.of("t", reader.table(REPORTS), "day", day));
    if (runRows.isEmpty()) {
      return new DayDetail(true, "No drift report for " + day + ".", day.toString(), status, null, List.of(), List.of(), List.of());
    }
    Run run = run(runRows.get(0));
    Map<String, Object> byRun = new LinkedHashMap<>();
    byRun.put("day", day);
    byRun.put("run", run.runId());
    List<MetricFigures> metrics = new ArrayList<>();
    if (tables.contains(METRICS)) {
      for (JsonNode r : reader.query("drift_metrics", RUN_METRICS, with(byRun, "t", reader.table(METRICS)))) {
        metrics.add(new MetricFigures(
            r.get(METRIC).asText(), r.get(BATCH_ROWS).asLong(), r.get(SPEED_ROWS).asLong(), r.get(BATCH_TOTAL).asLong(),
            r.get(SPEED_TOTAL).asLong(), r.get(KEYS_ONLY_SPEED).asLong(), r.get(KEYS_ONLY_BATCH).asLong(),
            r.get(KEYS_DIFFERENT).asLong(), r.get(ABS_DRIFT).asLong(), r.get(RELATIVE_DRIFT).asDouble(),
            new MetricCauses(r.get(TOO_LATE_EVENTS).asLong(), r.get(NOT_STREAMED_EVENTS).asLong(), r.get(MISSING_EVENTS).asLong(),
                r.get(OVER_COUNTED_EVENTS).asLong()),
            r.get(REPLACED).asLong() != 0));
      }
    }
    List<KeyCause> causes = new ArrayList<>();
    List<KeyDiff> largest = new ArrayList<>();
    if (tables.contains(KEYS)) {
      for (JsonNode r : reader.query("drift_key_causes", KEY_CAUSES, with(byRun, "t", reader.table(KEYS)))) {
        causes.add(new KeyCause(r.get(METRIC).asText(), r.get(CAUSE).asText(), r.get("windows").asLong(), r.get("events").asLong()));
      }
      Map<String, Object> p = with(byRun, "t", reader.table(KEYS));
      p.put("limit", (long) limit);
      for (JsonNode r : reader.query("drift_keys", TOP_KEYS, p)) {
        largest.add(new KeyDiff(
            r.get(METRIC).asText(), r.get(KEY).asText(), ClickHouseTimes.iso(r.get(WINDOW_START).asText()),
            r.get(SPEED_COUNT).asLong(), r.get(BATCH_COUNT).asLong(), r.get(DIFF).asLong(), r.get(CAUSE).asText()));
      }
    }
    return new DayDetail(true, null, day.toString(), status, run, metrics, causes, largest);
  }

  private String absent() {
    return "No drift reports yet: table " + reader.table(REPORTS) + " does not exist (run tidemark migrate, then reconcile).";
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(base);
    m.put(key, value);
    return m;
  }

  private Set<String> existingTables() {
    Set<String> names = new HashSet<>();
    for (JsonNode row : reader.query("drift_tables", EXISTING_TABLES, Map.of(
        "db", reader.database(), "reports", REPORTS, "metrics", METRICS, "keys", KEYS, "status", DAY_STATUS))) {
      names.add(row.get("name").asText());
    }
    return names;
  }

  private static Run run(JsonNode r) {
    return new Run(
        r.get(RUN_ID).asText(), r.get(DAY).asText(), ClickHouseTimes.iso(r.get(STARTED_AT).asText()),
        ClickHouseTimes.iso(r.get(FINISHED_AT).asText()), r.get(OUTCOME).asText(), r.get(DRY_RUN).asLong() != 0,
        r.get(FORCED).asLong() != 0, r.get(DRIFTED).asLong() != 0, r.get(BATCH_TOTAL).asLong(), r.get(SPEED_TOTAL).asLong(),
        r.get(ABS_DRIFT).asLong(), r.get(RELATIVE_DRIFT).asDouble(),
        new Causes(r.get(TOO_LATE_EVENTS).asLong(), r.get(NOT_STREAMED_EVENTS).asLong(), r.get(MISSING_EVENTS).asLong(),
            r.get(OVER_COUNTED_EVENTS).asLong(), r.get(INVALID_RECORDS).asLong()));
  }
}
