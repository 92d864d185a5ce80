package io.tidemark.reconcile;

import io.tidemark.batch.NoRecordsException;
import io.tidemark.batch.job.BatchResult;
import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.lock.DayLock;
import io.tidemark.reconcile.store.BatchCounts;
import io.tidemark.reconcile.store.DayStatus;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Batch + reconcile for every day of a range, oldest first.
 *
 * <p>Resumable: a day already reconciled from a lake snapshot after which no data file for that day
 * was added to the lake is skipped, so rerunning an interrupted backfill continues where it
 * stopped. A day with no record in the lake is reported and left alone. Works for days the speed
 * layer never saw (history imported into the lake): ClickHouse's day is simply filled. Each day is
 * done under its reconcile lock, so a backfill and a reconcile of the same day never overlap.
 */
public final class Backfill {
  /** What happened to one day. */
  public enum Status { SKIPPED, NO_DATA, RECONCILED, FAILED }

  /** One day's outcome; {@code report} is set when it was reconciled. */
  public record DayResult(LocalDate day, Status status, String message, DriftReport report) {}

  private final Reconciler reconciler;

  public Backfill(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  /** Days from {@code from} to {@code to} inclusive; {@code onDay} is called after each (progress). */
  public List<DayResult> run(LocalDate from, LocalDate to, boolean force, BiConsumer<LocalDate, DayResult> onDay) {
    if (to.isBefore(from)) {
      throw new ReconcileException("The range ends (" + to + ") before it starts (" + from + ")", false);
    }
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      reconciler.checkSettled(d, force);
    }
    List<DayResult> results = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      DayResult r = day(d, force);
      results.add(r);
      onDay.accept(d, r);
    }
    return results;
  }

  private DayResult day(LocalDate day, boolean force) {
    try (DayLock lock = reconciler.locks().acquire(day)) {
      return day(day, force, lock);
    }
  }

  private DayResult day(LocalDate day, boolean force, DayLock lock) {
    DayStatus status = reconciler.reports().status(day);
    if (status.reconciled() && !lakeHasNewData(day, status.lakeSnapshotId())) {
      return new DayResult(day, Status.SKIPPED,
          "already reconciled from lake snapshot " + status.lakeSnapshotId() + ", no new lake data", null);
    }
    BatchResult batch;
    try {
      batch = reconciler.batch().run(day);
    } catch (NoRecordsException e) {
      return new DayResult(day, Status.NO_DATA, e.getMessage(), null);
    }
    BatchCounts counts = BatchCounts.read(reconciler.spark(), reconciler.batch().tables(), day);
    if (counts == null || !counts.runId().equals(batch.runId())) {
      return new DayResult(day, Status.FAILED, "batch result of run " + batch.runId() + " not found after the run", null);
    }
    DriftReport report = reconciler.reconcile(counts, false, force, lock);
    return new DayResult(day, Status.RECONCILED, report.outcome().code() + ", drift " + report.absDrift(), report);
  }

  /**
   * Whether any data file with rows of {@code day} (or without event time) was appended to the lake
   * after {@code snapshotId}. True when the snapshot is no longer in the table's history.
   */
  boolean lakeHasNewData(LocalDate day, long snapshotId) {
    Table t = reconciler.batch().eventsTable();
    Snapshot current = t.currentSnapshot();
    if (current == null || current.snapshotId() == snapshotId) {
      return false;
    }
    long fromMicros = Windows.dayStartMs(day) * 1000L;
    long toMicros = Windows.dayEndMs(day) * 1000L;
    try (CloseableIterable<FileScanTask> files = t.newIncrementalAppendScan()
        .fromSnapshotExclusive(snapshotId)
        .toSnapshot(current.snapshotId())
        .filter(Expressions.or(Expressions.isNull("event_time"),
            Expressions.and(Expressions.greaterThanOrEqual("event_time", fromMicros),
                Expressions.lessThan("event_time", toMicros))))
        .planFiles()) {
      return files.iterator().hasNext();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return true; // the snapshot was expired or is not an ancestor: recompute to be safe
    } catch (java.io.IOException e) {
      return true;
    }
  }
}
