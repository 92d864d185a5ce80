package io.tidemark.reconcile.drift;

import io.tidemark.core.metric.CountMetric;
import java.util.Comparator;
import java.util.List;

/**
 * Batch against speed for one metric and day.
 *
 * @param absDrift sum over cells of {@code |batch - speed|}
 * @param relativeDrift {@code absDrift / batchTotal} (0 when both are empty)
 * @param diffs every differing cell, largest {@code |diff|} first
 */
public record MetricDrift(
    CountMetric metric,
    long batchRows,
    long speedRows,
    long batchTotal,
    long speedTotal,
    long keysOnlySpeed,
    long keysOnlyBatch,
    long keysDifferent,
    long absDrift,
    double relativeDrift,
    long tooLate,
    long notStreamed,
    long missing,
    long overCounted,
    List<KeyDiff> diffs) {

  /** Orders diffs by size, then key and window, so reports are stable. */
  public static final Comparator<KeyDiff> LARGEST_FIRST =
      Comparator.comparingLong((KeyDiff d) -> -Math.abs(d.diff()))
          .thenComparing(KeyDiff::key)
          .thenComparingLong(KeyDiff::windowStart);

  public MetricDrift {
    diffs = List.copyOf(diffs);
  }

  /** The {@code n} largest differences. */
  public List<KeyDiff> top(int n) {
    return diffs.subList(0, Math.min(n, diffs.size()));
  }
}
