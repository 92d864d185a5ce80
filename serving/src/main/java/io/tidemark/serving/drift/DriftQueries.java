package io.tidemark.serving.drift;

import static io.tidemark.serving.drift.DriftTables.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.serving.query.ClickHouseReader;
import io.tidemark.serving.query.ClickHouseTimes;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drift reports as the API serves them: a list (newest day first, the latest run of each day and
 * metric) and one day's detail (per metric summary, cause breakdown, largest per-key differences).
 * Answers {@code available: false} with empty lists when the tables are absent.
 */
public final class DriftQueries {
  private static final String EXISTING_TABLES =
      "SELECT name FROM system.tables WHERE database = {db:String} AND (name = {reports:String} OR name = {keys:String})";

  private static final String REPORT_COLUMNS =
      String.join(", ", RUN_ID, "toString(" + DAY + ") AS " + DAY, METRIC, COMPUTED_AT, KEYS_COMPARED,
          KEYS_DIFFERING, SPEED_TOTAL, BATCH_TOTAL, ABS_DIFF, REPLACED);

  /** Latest run per (day, metric) among the newest {@code days} days that have reports. */
  private static final String LIST =
      "SELECT " + REPORT_COLUMNS + " FROM {t:Identifier}"
          + " WHERE " + DAY + " >= {since:Date}"
          + " ORDER BY " + DAY + " DESC, " + METRIC + ", " + COMPUTED_AT + " DESC"
          + " LIMIT 1 BY " + DAY + ", " + METRIC
          + " LIMIT {limit:UInt32}";

  private static final String DAY_REPORTS =
      "SELECT " + REPORT_COLUMNS + " FROM {t:Identifier}"
          + " WHERE " + DAY + " = {day:Date}"
          + " ORDER BY " + METRIC + ", " + COMPUTED_AT + " DESC"
          + " LIMIT 1 BY " + METRIC;

  private static final String CAUSES =
      "SELECT " + METRIC + ", " + CAUSE + ", count() AS windows, sum(abs(" + DIFF + ")) AS events"
          + " FROM {t:Identifier} WHERE " + DAY + " = {day:Date} AND " + RUN_ID + " = {run:String}"
          + " GROUP BY " + METRIC + ", " + CAUSE + " ORDER BY " + METRIC + ", events DESC, " + CAUSE;

  private static final String TOP_KEYS =
      "SELECT " + METRIC + ", " + KEY + ", " + WINDOW_START + ", " + SPEED_COUNT + ", " + BATCH_COUNT + ", "
          + DIFF + ", " + CAUSE
          + " FROM {t:Identifier} WHERE " + DAY + " = {day:Date} AND " + RUN_ID + " = {run:String}"
          + " ORDER BY abs(" + DIFF + ") DESC, " + METRIC + ", " + KEY + ", " + WINDOW_START
          + " LIMIT {limit:UInt32}";

  private final ClickHouseReader reader;

  public DriftQueries(ClickHouseReader reader) {
    this.reader = reader;
  }

  /** Summary of one reconcile run for one day and metric. */
  public record Report(
      String runId, String day, String metric, String computedAt, long keysCompared, long keysDiffering,
      long speedTotal, long batchTotal, long absDiff, boolean replaced) {}

  public record ReportList(boolean available, String message, List<Report> reports) {}

  public record Cause(String metric, String cause, long windows, long events) {}

  public record KeyDiff(String metric, String key, String windowStart, long speedCount, long batchCount, long diff, String cause) {}

  public record DayDetail(boolean available, String message, String day, List<Report> reports, List<Cause> causes, List<KeyDiff> largest) {}

  /** Reports of the days since {@code since}, newest first, latest run per day and metric. */
  public ReportList list(LocalDate since, int limit) {
    Set<String> tables = existingTables();
    if (!tables.contains(REPORTS)) {
      return new ReportList(false, "No drift reports yet: table " + reader.table(REPORTS) + " does not exist (reconciliation has not run).", List.of());
    }
    List<Report> reports = new ArrayList<>();
    for (JsonNode row : reader.query("drift_list", LIST, Map.of("t", reader.table(REPORTS), "since", since, "limit", (long) limit))) {
      reports.add(report(row));
    }
    return new ReportList(true, reports.isEmpty() ? "No drift reports since " + since + "." : null, reports);
  }

  /** One day's reports (latest run per metric), cause breakdown and largest differences. */
  public DayDetail day(LocalDate day, int limit) {
    Set<String> tables = existingTables();
    if (!tables.contains(REPORTS)) {
      return new DayDetail(false, "No drift reports yet: table " + reader.table(REPORTS) + " does not exist (reconciliation has not run).", day.toString(), List.of(), List.of(), List.of());
    }
    List<Report> reports = new ArrayList<>();
    for (JsonNode row : reader.query("drift_day", DAY_REPORTS, Map.of("t", reader.table(REPORTS), "day", day))) {
      reports.add(report(row));
    }
    if (reports.isEmpty()) {
      return new DayDetail(true, "No drift report for " + day + ".", day.toString(), List.of(), List.of(), List.of());
    }
    List<Cause> causes = new ArrayList<>();
    List<KeyDiff> largest = new ArrayList<>();
    if (tables.contains(KEYS)) {
      Map<String, Report> runs = new LinkedHashMap<>();
      reports.forEach(r -> runs.putIfAbsent(r.runId(), r));
      for (String run : runs.keySet()) {
        for (JsonNode row : reader.query("drift_causes", CAUSES, Map.of("t", reader.table(KEYS), "day", day, "run", run))) {
          causes.add(new Cause(row.get(METRIC).asText(), row.get(CAUSE).asText(), row.get("windows").asLong(), row.get("events").asLong()));
        }
        for (JsonNode row : reader.query("drift_keys", TOP_KEYS, Map.of("t", reader.table(KEYS), "day", day, "run", run, "limit", (long) limit))) {
          largest.add(new KeyDiff(
              row.get(METRIC).asText(), row.get(KEY).asText(),
              ClickHouseTimes.iso(row.get(WINDOW_START).asText()),
              row.get(SPEED_COUNT).asLong(), row.get(BATCH_COUNT).asLong(), row.get(DIFF).asLong(), row.get(CAUSE).asText()));
        }
      }
      largest.sort((a, b) -> Long.compare(Math.abs(b.diff()), Math.abs(a.diff())));
      if (largest.size() > limit) {
        largest = new ArrayList<>(largest.subList(0, limit));
      }
    }
    return new DayDetail(true, null, day.toString(), reports, causes, largest);
  }

  private Set<String> existingTables() {
    Set<String> names = new HashSet<>();
    for (JsonNode row : reader.query("drift_tables", EXISTING_TABLES, Map.of("db", reader.database(), "reports", REPORTS, "keys", KEYS))) {
      names.add(row.get("name").asText());
    }
    return names;
  }

  private static Report report(JsonNode row) {
    return new Report(
        row.get(RUN_ID).asText(), row.get(DAY).asText(), row.get(METRIC).asText(),
        ClickHouseTimes.iso(row.get(COMPUTED_AT).asText()),
        row.get(KEYS_COMPARED).asLong(), row.get(KEYS_DIFFERING).asLong(), row.get(SPEED_TOTAL).asLong(),
        row.get(BATCH_TOTAL).asLong(), row.get(ABS_DIFF).asLong(), row.get(REPLACED).asLong() != 0);
  }
}
