package io.tidemark.reconcile.store;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Whether a day's served counts are the speed layer's or reconciled ones: "authoritative up to"
 * made explicit per day.
 *
 * @param reconciledAt when the day's partitions were last replaced, or {@code null} if never
 * @param lakeSnapshotId the lake snapshot the batch counts were computed from, or -1
 * @param runId the reconcile run that replaced it, or {@code null}
 */
public record DayStatus(LocalDate day, boolean reconciled, Instant reconciledAt, long lakeSnapshotId, String runId) {
  public static DayStatus speedOnly(LocalDate day) {
    return new DayStatus(day, false, null, -1, null);
  }

  /** {@code speed-only} or {@code reconciled}, as stored. */
  public String code() {
    return reconciled ? "reconciled" : "speed-only";
  }

  /** One line: "2026-11-24 reconciled at 2026-11-26T03:00:12Z from lake snapshot 123 (run ...)". */
  public String describe() {
    return reconciled
        ? day + " reconciled at " + reconciledAt + " from lake snapshot " + lakeSnapshotId + " (run " + runId + ")"
        : day + " speed-only (served counts are the speed layer's and may still change)";
  }
}
