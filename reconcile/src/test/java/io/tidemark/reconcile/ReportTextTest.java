package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.reconcile.drift.BatchCell;
import io.tidemark.reconcile.drift.DriftCalculator;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.MetricDrift;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The human and JSON forms of a report name every figure the issue asks for. */
class ReportTextTest {
  static final long W = Instant.parse("2026-11-24T10:01:00Z").toEpochMilli();

  DriftReport report() {
    Map<WindowKey, BatchCell> batch = Map.of(new WindowKey("user-3", W), new BatchCell(12, 3, 0));
    MetricDrift user = DriftCalculator.compare(CountMetric.USER, batch, Map.of(new WindowKey("user-3", W), 9L));
    MetricDrift page = DriftCalculator.compare(CountMetric.PAGE, Map.of(new WindowKey("/a", W), new BatchCell(12, 3, 0)),
        Map.of(new WindowKey("/a", W), 12L));
    return new DriftReport("reconcile-2026-11-24-1", LocalDate.parse("2026-11-24"), Instant.parse("2026-11-26T03:00:00Z"),
        Instant.parse("2026-11-26T03:00:09Z"), DriftReport.Outcome.REPLACED, false, false, true, 42L, "batch-1",
        Map.of(CountMetric.USER, user, CountMetric.PAGE, page), Map.of("not-json", 2L, "empty-field", 1L));
  }

  @Test
  void describesTotalsKeysDriftCausesAndTopDifferences() {
    assertThat(ReconcileMain.describe(report(), 10)).isEqualTo(String.join(System.lineSeparator(),
        "Reconcile 2026-11-24: replaced (run reconcile-2026-11-24-1, batch batch-1 from lake snapshot 42)",
        "  user_page_counts: batch 12 events in 1 rows, speed 9 in 1 rows; keys only in speed 0, only in batch 0,"
            + " different 1; drift 3 (25.000%)",
        "    causes: too-late 3, not-streamed 0, missing-from-speed 0, over-counted 0",
        "    user-3 2026-11-24T10:01:00Z batch 12 speed 9 (+3, too-late)",
        "  page_view_counts: batch 12 events in 1 rows, speed 12 in 1 rows; keys only in speed 0, only in batch 0,"
            + " different 0; drift 0 (0.000%)",
        "    causes: too-late 0, not-streamed 0, missing-from-speed 0, over-counted 0",
        "  invalid records in the lake: 3 (empty-field 1, not-json 2)"));
  }

  @Test
  void jsonFormKeepsTheFieldsOrchestrationReads() {
    Map<String, Object> m = report().toMap(10);
    assertThat(m).containsEntry("outcome", "replaced").containsEntry("lake_snapshot_id", 42L);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> metrics = (Map<String, Map<String, Object>>) m.get("metrics");
    assertThat(metrics.get("user_page_counts")).containsEntry("relative_drift", 0.25).containsEntry("abs_drift", 3L);
    assertThat(metrics.get("page_view_counts")).containsEntry("relative_drift", 0.0);
  }
}
