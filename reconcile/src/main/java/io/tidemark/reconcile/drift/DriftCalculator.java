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
 *
 * <p>Two ways in, one set of rules: {@link #compare} takes both sides as maps (small days, tests);
 * {@link #builder} takes the day's totals plus only the cells that are on one side or differ, which
 * is what reconcile gets from ClickHouse's comparison, so a day's millions of equal cells never
 * reach the JVM.
 */
public final class DriftCalculator {
  private DriftCalculator() {}

  public static MetricDrift compare(CountMetric metric, Map<WindowKey, BatchCell> batch, Map<WindowKey, Long> speed) {
    long batchTotal = 0;
    long speedTotal = 0;
    for (BatchCell b : batch.values()) {
      batchTotal += b.count();
    }
    for (long s : speed.values()) {
      speedTotal += s;
    }
    Builder out = builder(metric, batch.size(), speed.size(), batchTotal, speedTotal);
    for (Map.Entry<WindowKey, BatchCell> e : batch.entrySet()) {
      Long s = speed.get(e.getKey());
      if (s == null || s != e.getValue().count()) {
        out.cell(e.getKey(), e.getValue(), s);
      }
    }
    for (Map.Entry<WindowKey, Long> e : speed.entrySet()) {
      if (!batch.containsKey(e.getKey())) {
        out.cell(e.getKey(), null, e.getValue());
      }
    }
    return out.build();
  }

  /** A comparison fed cell by cell, given the totals of both sides of the day. */
  public static Builder builder(CountMetric metric, long batchRows, long speedRows, long batchTotal, long speedTotal) {
    return new Builder(metric, batchRows, speedRows, batchTotal, speedTotal);
  }

  /**
   * Collects the cells that are on one side only or differ; cells equal on both sides must not be
   * given (they change nothing). Not thread-safe.
   */
  public static final class Builder {
    private final CountMetric metric;
    private final long batchRows;
    private final long speedRows;
    private final long batchTotal;
    private final long speedTotal;
    private long onlySpeed;
    private long onlyBatch;
    private long different;
    private final List<KeyDiff> diffs = new ArrayList<>();

    private Builder(CountMetric metric, long batchRows, long speedRows, long batchTotal, long speedTotal) {
      this.metric = metric;
      this.batchRows = batchRows;
      this.speedRows = speedRows;
      this.batchTotal = batchTotal;
      this.speedTotal = speedTotal;
    }

    /**
     * One cell.
     *
     * @param batch the batch cell, {@code null} when the batch has no such cell
     * @param speed the served count, {@code null} when ClickHouse serves no such cell
     */
    public Builder cell(WindowKey key, BatchCell batch, Long speed) {
      if (batch == null && speed == null) {
        throw new IllegalArgumentException("Cell " + key + " is on neither side");
      }
      if (batch == null) {
        onlySpeed++;
        if (speed != 0) {
          diffs.add(diff(key, new BatchCell(0, 0, 0), speed));
        }
        return this;
      }
      if (speed == null) {
        onlyBatch++;
      }
      long sv = speed == null ? 0 : speed;
      if (sv != batch.count()) {
        if (speed != null) {
          different++;
        }
        diffs.add(diff(key, batch, sv));
      }
      return this;
    }

    public MetricDrift build() {
      long abs = 0;
      long late = 0;
      long notStreamed = 0;
      long missing = 0;
      long over = 0;
      for (KeyDiff d : diffs) {
        abs += Math.abs(d.diff());
        late += d.tooLate();
        notStreamed += d.notStreamed();
        missing += d.missing();
        over += d.overCounted();
      }
      List<KeyDiff> sorted = new ArrayList<>(diffs);
      sorted.sort(MetricDrift.LARGEST_FIRST);
      double relative = batchTotal == 0 ? (abs == 0 ? 0.0 : 1.0) : (double) abs / batchTotal;
      return new MetricDrift(metric, batchRows, speedRows, batchTotal, speedTotal, onlySpeed,
          onlyBatch, different, abs, relative, late, notStreamed, missing, over, sorted);
    }
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
