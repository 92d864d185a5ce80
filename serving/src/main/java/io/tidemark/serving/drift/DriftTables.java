package io.tidemark.serving.drift;

/**
 * Reconciliation's ClickHouse tables as the serving layer reads them. Every table and column name
 * the serving layer uses is here and nowhere else; the tables themselves are created by schema's
 * migration 2 ({@code ClickHouseSchema}) and written by reconcile (issue 6).
 *
 * <p>A database migrated by an older build lacks them: the drift API then answers {@code
 * available: false} and the dashboard shows an empty state, as it does while they are empty.
 */
public final class DriftTables {
  private DriftTables() {}

  /** One row per reconcile run of one day: totals, outcome and cause breakdown. */
  public static final String REPORTS = "drift_reports";

  /** One row per (run, metric): per-metric figures and whether the day's partition was replaced. */
  public static final String METRICS = "drift_report_metrics";

  /** One row per (run, metric, key, window) whose speed count differed from the batch count. */
  public static final String KEYS = "drift_report_keys";

  /** Current status of a day ({@code speed-only} / {@code reconciled}), ReplacingMergeTree(version). */
  public static final String DAY_STATUS = "day_status";

  // Shared columns.
  public static final String RUN_ID = "run_id";
  public static final String DAY = "day";
  public static final String METRIC = "metric";
  public static final String WINDOW_START = "window_start";
  public static final String BATCH_TOTAL = "batch_total";
  public static final String SPEED_TOTAL = "speed_total";
  public static final String ABS_DRIFT = "abs_drift";
  public static final String RELATIVE_DRIFT = "relative_drift";
  public static final String TOO_LATE_EVENTS = "too_late_events";
  public static final String NOT_STREAMED_EVENTS = "not_streamed_events";
  public static final String MISSING_EVENTS = "missing_events";
  public static final String OVER_COUNTED_EVENTS = "over_counted_events";

  // drift_reports
  public static final String STARTED_AT = "started_at";
  public static final String FINISHED_AT = "finished_at";
  public static final String OUTCOME = "outcome";
  public static final String DRY_RUN = "dry_run";
  public static final String FORCED = "forced";
  public static final String DRIFTED = "drifted";
  public static final String INVALID_RECORDS = "invalid_records";

  // drift_report_metrics
  public static final String BATCH_ROWS = "batch_rows";
  public static final String SPEED_ROWS = "speed_rows";
  public static final String KEYS_ONLY_SPEED = "keys_only_speed";
  public static final String KEYS_ONLY_BATCH = "keys_only_batch";
  public static final String KEYS_DIFFERENT = "keys_different";
  public static final String REPLACED = "replaced";

  // drift_report_keys
  public static final String KEY = "key";
  public static final String BATCH_COUNT = "batch_count";
  public static final String SPEED_COUNT = "speed_count";
  /** batch_count - speed_count. */
  public static final String DIFF = "diff";
  public static final String TOO_LATE = "too_late";
  public static final String CAUSE = "cause";

  // day_status
  public static final String STATUS = "status";
  public static final String CHANGED_AT = "changed_at";
  public static final String VERSION = "version";
}
