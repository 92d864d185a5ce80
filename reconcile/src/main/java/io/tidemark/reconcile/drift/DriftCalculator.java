package io.tidemark.reconcile.drift;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares the batch counts of one metric and day with what ClickHouse serves, cell by cell, and
 * splits every difference into causes.
 *
 * <p>A shortfall of the speed layer ({@code batch > speed}) is first explained by the cell's
 * too-late events, then by its events that never went through Kafka, and what remains is {@link
 * Cause#MISSING_FROM_SPEED}. A surplus is {@link Cause#OVER_COUNTED}. A cell present on one side
 * only counts as 0 on the other. Pure and deterministic.
 */
public final class DriftCalculator {
  private DriftCalculator() {}

  public static MetricDrift compare(CountMetric metric, Map<WindowKey, BatchCell> batch, Map<WindowKey, Long> speed) {
    long batchTotal = 0;
    long speedTotal = 0;
    long onlySpeed = 0;
    long onlyBatch = 0;
    long different = 0;
    long abs = 0;
    long late = 0;
    long notStreamed = 0;
    long missing = 0;
    long over = 0;
    List<KeyDiff> diffs = new ArrayList<>();
    for (Map.Entry<WindowKey, BatchCell> e : batch.entrySet()) {
      BatchCell b = e.getValue();
      batchTotal += b.count();
      Long s = speed.get(e.getKey());
      if (s == null) {
        onlyBatch++;
      }
      long sv = s == null ? 0 : s;
      if (sv != b.count()) {
        if (s != null) {
          different++;
        }
        KeyDiff d = diff(e.getKey(), b, sv);
        diffs.add(d);
      }
    }
    for (Map.Entry<WindowKey, Long> e : speed.entrySet()) {
      speedTotal += e.getValue();
      if (!batch.containsKey(e.getKey())) {
        onlySpeed++;
        if (e.getValue() != 0) {
          diffs.add(diff(e.getKey(), new BatchCell(0, 0, 0), e.getValue()));
        }
      }
    }
    for (KeyDiff d : diffs) {
      abs += Math.abs(d.diff());
      late += d.tooLate();
      notStreamed += d.notStreamed();
      missing += d.missing();
      over += d.overCounted();
    }
    diffs.sort(MetricDrift.LARGEST_FIRST);
    double relative = batchTotal == 0 ? (abs == 0 ? 0.0 : 1.0) : (double) abs / batchTotal;
    return new MetricDrift(metric, batch.size(), speed.size(), batchTotal, speedTotal, onlySpeed,
        onlyBatch, different, abs, relative, late, notStreamed, missing, over, diffs);
  }

  private static KeyDiff diff(WindowKey k, BatchCell b, long speed) {
    long diff = b.count() - speed;
    if (diff < 0) {
      return new KeyDiff(k.key(), k.windowStart(), b.count(), speed, diff, 0, 0, 0, -diff);
    }
    long late = Math.min(diff, b.tooLate());
    long notStreamed = Math.min(diff - late, b.notStreamed());
    return new KeyDiff(k.key(), k.windowStart(), b.count(), speed, diff, late, notStreamed,
        diff - late - notStreamed, 0);
  }
}
