package io.tidemark.serving.drift;

import java.util.List;

/**
 * The ClickHouse tables of drift reports as the serving layer reads them: every table and column
 * name it uses is here and nowhere else, so aligning with reconciliation (issue 6), which writes
 * them, is a change to this class only.
 *
 * <p>The tables do not exist yet; until they do (or while they are empty) the drift API answers
 * with {@code available: false} and the dashboard shows an empty state. {@link #PROPOSED_DDL} is
 * the layout proposed to issue 6 (also in docs/serving.md); the serving module never creates these
 * tables in a real database, only its tests do, in a database of their own.
 */
public final class DriftTables {
  private DriftTables() {}

  /** One row per reconcile run, day and metric: the summary of a comparison. */
  public static final String REPORTS = "drift_reports";

  /** One row per (run, metric, key, window) whose speed count differed from the batch count. */
  public static final String KEYS = "drift_report_keys";

  // Columns of both tables.
  public static final String RUN_ID = "run_id";
  public static final String DAY = "day";
  /** {@code user} or {@code page}: {@code CountMetric.name()} in lower case. */
  public static final String METRIC = "metric";

  // drift_reports
  public static final String COMPUTED_AT = "computed_at";
  public static final String KEYS_COMPARED = "keys_compared";
  public static final String KEYS_DIFFERING = "keys_differing";
  public static final String SPEED_TOTAL = "speed_total";
  public static final String BATCH_TOTAL = "batch_total";
  /** Sum over windows of |batch - speed|. */
  public static final String ABS_DIFF = "abs_diff";
  /** 1 when the run replaced the day's partition in ClickHouse. */
  public static final String REPLACED = "replaced";

  // drift_report_keys
  public static final String KEY = "key";
  public static final String WINDOW_START = "window_start";
  public static final String SPEED_COUNT = "speed_count";
  public static final String BATCH_COUNT = "batch_count";
  /** batch_count - speed_count (Int64). */
  public static final String DIFF = "diff";
  /**
   * Why the counts differ, one word: {@code late} (events past the allowed lateness),
   * {@code duplicate} (a redelivery counted twice), {@code missing_in_speed} (window never written
   * by the speed layer), {@code extra_in_speed}, {@code unknown}.
   */
  public static final String CAUSE = "cause";

  /** Layout proposed to reconciliation; valid on ClickHouse 18.16 and current ClickHouse. */
  public static final List<String> PROPOSED_DDL =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS ${database}.drift_reports (
            run_id String,
            day Date,
            metric String,
            computed_at DateTime('UTC'),
            keys_compared UInt64,
            keys_differing UInt64,
            speed_total UInt64,
            batch_total UInt64,
            abs_diff UInt64,
            replaced UInt8
          ) ENGINE = MergeTree
          PARTITION BY toYYYYMM(day)
          ORDER BY (day, metric, computed_at)""",
          """
          CREATE TABLE IF NOT EXISTS ${database}.drift_report_keys (
            run_id String,
            day Date,
            metric String,
            key String,
            window_start DateTime('UTC'),
            speed_count UInt64,
            batch_count UInt64,
            diff Int64,
            cause String
          ) ENGINE = MergeTree
          PARTITION BY toYYYYMM(day)
          ORDER BY (day, run_id, metric, key, window_start)""");
}
