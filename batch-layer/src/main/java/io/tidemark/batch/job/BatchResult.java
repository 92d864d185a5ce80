package io.tidemark.batch.job;

import io.tidemark.core.metric.CountMetric;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one batch run wrote for one day.
 *
 * @param records lake records attributed to the day: valid ones by their window's day, invalid ones
 *     by their event time's day, or their arrival day when they have no usable event time
 * @param validRecords valid records of the day, duplicates included
 * @param duplicates valid records of the day that repeat an earlier event_id
 * @param distinctEvents counted events (each metric's counts sum to this)
 * @param tooLateEvents counted events that reached Kafka after the speed layer's horizon
 * @param notStreamedEvents counted events that never went through Kafka (imported history)
 * @param rows count rows written per metric
 * @param stepSeconds wall-clock seconds of the job's steps, in order ({@link StepTimer}); empty when
 *     not measured
 */
public record BatchResult(
    String runId,
    LocalDate day,
    long lakeSnapshotId,
    Instant startedAt,
    Instant finishedAt,
    long records,
    long validRecords,
    long invalidRecords,
    Map<String, Long> invalidByReason,
    long duplicates,
    long distinctEvents,
    long tooLateEvents,
    long notStreamedEvents,
    Map<CountMetric, Long> rows,
    Map<String, Double> stepSeconds) {

  public BatchResult {
    invalidByReason = Map.copyOf(new TreeMap<>(invalidByReason));
    rows = Map.copyOf(rows);
    stepSeconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stepSeconds));
  }

  /** This result with the given step durations. */
  public BatchResult withSteps(Map<String, Double> steps) {
    return new BatchResult(runId, day, lakeSnapshotId, startedAt, finishedAt, records, validRecords, invalidRecords,
        invalidByReason, duplicates, distinctEvents, tooLateEvents, notStreamedEvents, rows, steps);
  }

  /** A JSON-friendly view (snake_case keys, ISO times). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("day", day.toString());
    m.put("lake_snapshot_id", lakeSnapshotId);
    m.put("started_at", startedAt.toString());
    m.put("finished_at", finishedAt.toString());
    m.put("records", records);
    m.put("valid_records", validRecords);
    m.put("invalid_records", invalidRecords);
    m.put("invalid_by_reason", new TreeMap<>(invalidByReason));
    m.put("duplicates", duplicates);
    m.put("distinct_events", distinctEvents);
    m.put("too_late_events", tooLateEvents);
    m.put("not_streamed_events", notStreamedEvents);
    Map<String, Long> r = new LinkedHashMap<>();
    for (CountMetric metric : CountMetric.values()) {
      r.put(metric.servingTable(), rows.getOrDefault(metric, 0L));
    }
    m.put("rows", r);
    m.put("seconds", (finishedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0);
    m.put("step_seconds", new LinkedHashMap<>(stepSeconds));
    return m;
  }
}
