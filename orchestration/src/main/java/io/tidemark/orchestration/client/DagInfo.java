package io.tidemark.orchestration.client;

/**
 * One DAG as Airflow knows it.
 *
 * @param dagId the DAG
 * @param paused whether the scheduler leaves it alone (triggered runs stay queued)
 * @param hasImportErrors whether its file failed to import at the last parse
 * @param schedule a human-readable summary of its timetable
 * @param nextLogicalDate the logical date of the next scheduled run, or {@code null}
 */
public record DagInfo(
    String dagId, boolean paused, boolean hasImportErrors, String schedule, java.time.Instant nextLogicalDate) {}
