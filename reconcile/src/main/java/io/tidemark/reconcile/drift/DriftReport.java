package io.tidemark.reconcile.drift;

import io.tidemark.core.metric.CountMetric;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one reconcile run of one day: both metrics compared, the lake's invalid records
 * of the day, and what was done.
 *
 * <p>Headline figures ({@link #batchTotal()}, {@link #absDrift()}, causes) are those of {@link
 * CountMetric#USER}, the seed's table; {@link #metrics()} has both.
 *
 * @param outcome {@link Outcome}
 * @param stepSeconds wall-clock seconds of the run's steps in order (load cells, compare, stage,
 *     replace, reports...); empty in the stored report, which is written before the run ends
 */
public record DriftReport(
    String runId,
    LocalDate day,
    Instant startedAt,
    Instant finishedAt,
    Outcome outcome,
    boolean dryRun,
    boolean forced,
    boolean drifted,
    long lakeSnapshotId,
    String batchRunId,
    Map<CountMetric, MetricDrift> metrics,
    Map<String, Long> invalidByReason,
    Map<String, Double> stepSeconds) {

  /** A report without step timings. */
  public DriftReport(String runId, LocalDate day, Instant startedAt, Instant finishedAt, Outcome outcome,
      boolean dryRun, boolean forced, boolean drifted, long lakeSnapshotId, String batchRunId,
      Map<CountMetric, MetricDrift> metrics, Map<String, Long> invalidByReason) {
    this(runId, day, startedAt, finishedAt, outcome, dryRun, forced, drifted, lakeSnapshotId, batchRunId, metrics,
        invalidByReason, Map.of());
  }

  /** This report with the run's step timings. */
  public DriftReport withSteps(Map<String, Double> steps) {
    return new DriftReport(runId, day, startedAt, finishedAt, outcome, dryRun, forced, drifted, lakeSnapshotId,
        batchRunId, metrics, invalidByReason, steps);
  }

  /** What a run did. Codes are stored: never rename, only add. */
  public enum Outcome {
    /** Both count tables' day replaced with the batch counts; the day is reconciled. */
    REPLACED("replaced"),
    /** ClickHouse already equals the batch counts and the day is reconciled: nothing written. */
    NO_DRIFT("no-drift"),
    /** Drift at most the threshold on an already reconciled day: nothing written. */
    WITHIN_THRESHOLD("within-threshold"),
    /** Report only, as asked. */
    DRY_RUN("dry-run");

    private final String code;

    Outcome(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public DriftReport {
    metrics = Map.copyOf(metrics);
    invalidByReason = Map.copyOf(new TreeMap<>(invalidByReason));
    stepSeconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stepSeconds));
  }

  public MetricDrift headline() {
    return metrics.get(CountMetric.USER);
  }

  public long batchTotal() {
    return headline().batchTotal();
  }

  public long speedTotal() {
    return headline().speedTotal();
  }

  public long absDrift() {
    return headline().absDrift();
  }

  public long invalidRecords() {
    return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** A JSON-friendly view with the {@code top} largest differences per metric. */
  public Map<String, Object> toMap(int top) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("day", day.toString());
    m.put("started_at", startedAt.toString());
    m.put("finished_at", finishedAt.toString());
    m.put("outcome", outcome.code());
    m.put("dry_run", dryRun);
    m.put("forced", forced);
    m.put("drifted", drifted);
    m.put("lake_snapshot_id", lakeSnapshotId);
    m.put("batch_run_id", batchRunId);
    m.put("invalid_records", invalidRecords());
    m.put("invalid_by_reason", new TreeMap<>(invalidByReason));
    Map<String, Object> ms = new LinkedHashMap<>();
    for (CountMetric metric : CountMetric.values()) {
      MetricDrift d = metrics.get(metric);
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("batch_rows", d.batchRows());
      x.put("speed_rows", d.speedRows());
      x.put("batch_total", d.batchTotal());
      x.put("speed_total", d.speedTotal());
      x.put("keys_only_in_speed", d.keysOnlySpeed());
      x.put("keys_only_in_batch", d.keysOnlyBatch());
      x.put("keys_different", d.keysDifferent());
      x.put("abs_drift", d.absDrift());
      x.put("relative_drift", d.relativeDrift());
      Map<String, Long> causes = new LinkedHashMap<>();
      causes.put(Cause.TOO_LATE.code(), d.tooLate());
      causes.put(Cause.NOT_STREAMED.code(), d.notStreamed());
      causes.put(Cause.MISSING_FROM_SPEED.code(), d.missing());
      causes.put(Cause.OVER_COUNTED.code(), d.overCounted());
      x.put("causes", causes);
      List<Map<String, Object>> tops = d.top(top).stream().map(k -> {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put(metric.keyColumn(), k.key());
        t.put("window_start", Instant.ofEpochMilli(k.windowStart()).toString());
        t.put("batch", k.batch());
        t.put("speed", k.speed());
        t.put("diff", k.diff());
        t.put("cause", k.cause());
        return t;
      }).toList();
      x.put("top_differences", tops);
      ms.put(metric.servingTable(), x);
    }
    m.put("metrics", ms);
    if (!stepSeconds.isEmpty()) {
      m.put("step_seconds", new LinkedHashMap<>(stepSeconds));
    }
    return m;
  }
}
