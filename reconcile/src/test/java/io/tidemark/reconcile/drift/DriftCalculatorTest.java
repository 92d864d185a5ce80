package io.tidemark.reconcile.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftCalculatorTest {
  static final WindowKey A = new WindowKey("a", 60_000);
  static final WindowKey B = new WindowKey("b", 60_000);
  static final WindowKey C = new WindowKey("c", 120_000);
  static final WindowKey D = new WindowKey("d", 120_000);

  @Test
  void splitsAShortfallIntoTooLateThenNotStreamedThenMissing() {
    MetricDrift d = DriftCalculator.compare(CountMetric.USER,
        Map.of(A, new BatchCell(10, 3, 2)), Map.of(A, 4L));
    assertThat(d.diffs()).containsExactly(new KeyDiff("a", 60_000, 10, 4, 6, 3, 2, 1, 0));
    assertThat(d.diffs().get(0).cause()).isEqualTo("too-late+not-streamed+missing-from-speed");
    assertThat(d.absDrift()).isEqualTo(6);
    assertThat(d.relativeDrift()).isEqualTo(0.6);
  }

  @Test
  void countsKeysOnEachSideAndOverCounting() {
    MetricDrift d = DriftCalculator.compare(CountMetric.PAGE,
        Map.of(A, new BatchCell(5, 0, 0), B, new BatchCell(2, 2, 0), C, new BatchCell(1, 0, 0)),
        Map.of(A, 7L, C, 1L, D, 3L));
    assertThat(d.keysOnlyBatch()).isEqualTo(1);
    assertThat(d.keysOnlySpeed()).isEqualTo(1);
    assertThat(d.keysDifferent()).isEqualTo(1);
    assertThat(d.batchTotal()).isEqualTo(8);
    assertThat(d.speedTotal()).isEqualTo(11);
    assertThat(d.tooLate()).isEqualTo(2);
    assertThat(d.overCounted()).isEqualTo(5);
    assertThat(d.missing()).isZero();
    assertThat(d.absDrift()).isEqualTo(7);
    assertThat(d.diffs()).extracting(KeyDiff::key).containsExactly("d", "a", "b");
    assertThat(d.top(1)).extracting(KeyDiff::cause).containsExactly("over-counted");
  }

  @Test
  void equalSidesHaveNoDrift() {
    MetricDrift d = DriftCalculator.compare(CountMetric.USER, Map.of(A, new BatchCell(3, 1, 0)), Map.of(A, 3L));
    assertThat(d.diffs()).isEmpty();
    assertThat(d.absDrift()).isZero();
    assertThat(d.relativeDrift()).isZero();
  }

  @Test
  void anEmptyBatchDayWithSpeedRowsIsFullyDrifted() {
    MetricDrift d = DriftCalculator.compare(CountMetric.USER, Map.of(), Map.of(A, 2L));
    assertThat(d.relativeDrift()).isEqualTo(1.0);
    assertThat(d.overCounted()).isEqualTo(2);
  }
}
