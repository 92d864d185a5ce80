package io.tidemark.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.cli.chaos.ChaosChecks.DeadLetter;
import io.tidemark.cli.chaos.ChaosChecks.DriftFigures;
import io.tidemark.cli.chaos.ChaosChecks.ServingProbe;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GeneratedRecord;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each check passes on the real-shaped input of an exact run and fails, naming exactly the planted
 * difference, when one thing is wrong: a check that cannot fail is a defect.
 */
class ChaosChecksTest {
  private static final long T0 = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();

  /** The ground truth of a real generator plan (all record kinds), no Kafka needed. */
  private static GroundTruth truth() {
    GeneratorSpec spec = GeneratorSpec.builder().rate(200).duration(Duration.ofSeconds(60)).users(20).pages(5).seed(3)
        .startTime(Instant.ofEpochMilli(T0)).outOfOrderMs(3000).lateFraction(0.02).duplicateFraction(0.02)
        .invalidFraction(0.02).build();
    GroundTruth t = new GroundTruth();
    for (GeneratedRecord r : new TrafficPlan(spec, T0)) {
      t.add(r);
    }
    return t;
  }

  private static Map<CountMetric, Map<WindowKey, Long>> copy(GroundTruth t, boolean speed) {
    Map<CountMetric, Map<WindowKey, Long>> m = new EnumMap<>(CountMetric.class);
    for (CountMetric c : CountMetric.values()) {
      m.put(c, new HashMap<>(speed ? t.speedCounts(c) : t.counts(c)));
    }
    return m;
  }

  @Test
  void cellsAreExactOnEqualOutputAndNameTheOneChangedCell() {
    GroundTruth t = truth();
    Map<CountMetric, Map<WindowKey, Long>> served = copy(t, true);
    assertThat(ChaosChecks.cells("speed-cells", "x", copy(t, true), served).exact()).isTrue();

    WindowKey changed = served.get(CountMetric.USER).keySet().stream().sorted().findFirst().orElseThrow();
    long was = served.get(CountMetric.USER).get(changed);
    served.get(CountMetric.USER).put(changed, was + 1);
    CheckResult r = ChaosChecks.cells("speed-cells", "x", copy(t, true), served);
    assertThat(r.exact()).isFalse();
    assertThat(r.differing()).isEqualTo(1);
    assertThat(r.firstDifferences()).containsExactly("user_page_counts (" + changed.key() + ", "
        + Instant.ofEpochMilli(changed.windowStart()) + "): expected " + was + ", got " + (was + 1));
  }

  @Test
  void aDeletedCellAndAnExtraCellBothCount() {
    GroundTruth t = truth();
    Map<CountMetric, Map<WindowKey, Long>> served = copy(t, false);
    WindowKey gone = served.get(CountMetric.PAGE).keySet().stream().sorted().findFirst().orElseThrow();
    served.get(CountMetric.PAGE).remove(gone);
    served.get(CountMetric.PAGE).put(new WindowKey("/never", T0), 4L);
    CheckResult r = ChaosChecks.cells("reconciled-cells", "x", copy(t, false), served);
    assertThat(r.differing()).isEqualTo(2);
    assertThat(r.firstDifferences()).anyMatch(d -> d.startsWith("page_view_counts (" + gone.key() + ", ") && d.endsWith(", got 0"));
    assertThat(r.firstDifferences()).anyMatch(d -> d.startsWith("page_view_counts (/never, ") && d.endsWith("expected 0, got 4"));
  }

  @Test
  void theSpeedTruthDiffersFromTheFullTruthExactlyByTheTooLateEvents() {
    GroundTruth t = truth();
    assertThat(t.tooLate()).isPositive();
    CheckResult r = ChaosChecks.cells("reconciled-cells", "x", copy(t, false), copy(t, true));
    assertThat(r.exact()).isFalse();
    assertThat(r.differing()).isEqualTo(t.tooLateCounts(CountMetric.USER).size() + t.tooLateCounts(CountMetric.PAGE).size());
  }

  /** The shape {@code lake verify --json} prints (ArchiveVerifier.Report through Jackson). */
  private static JsonNode verifyReport(long p0Count, long p0Max, long dups, String finding) throws Exception {
    String findings = finding == null ? "[]" : "[{\"kind\":\"missing-offset\",\"message\":\"" + finding + "\"}]";
    return new ObjectMapper().readTree("""
        {"table":"lake.pageview_events","snapshots":12,"rows":%d,"kafkaRows":%d,
         "partitions":{"0":{"partition":0,"count":%d,"min":0,"max":%d,"duplicateRows":%d,"holes":[]},
                       "1":{"partition":1,"count":500,"min":0,"max":499,"duplicateRows":0,"holes":[]}},
         "missing":{},"filesInSeveralSnapshots":{},"filesTwiceInCurrentSnapshot":[],"findings":%s}
        """.formatted(p0Count + 500, p0Count + 500, p0Count, p0Max, dups, findings));
  }

  @Test
  void lakeIsExactWhenEveryOffsetIsArchivedOnce() throws Exception {
    CheckResult r = ChaosChecks.lake(verifyReport(700, 699, 0, null), Map.of(0, 700L, 1, 500L), 1200);
    assertThat(r.exact()).isTrue();
    assertThat(r.compared()).isEqualTo(1200);
  }

  @Test
  void lakeFailsOnADeletedRowNamingItsPartition() throws Exception {
    CheckResult r = ChaosChecks.lake(verifyReport(699, 699, 0, "Partition 0: 1 records in the topic are not archived, offsets [17, 18)"),
        Map.of(0, 700L, 1, 500L), 1200);
    assertThat(r.exact()).isFalse();
    assertThat(r.firstDifferences()).contains(
        "partition 0: expected offsets 0..699 (700 records), archived 699 rows, offsets 0..699",
        "missing-offset: Partition 0: 1 records in the topic are not archived, offsets [17, 18)",
        "rows from the events topic: expected 1200 (records produced), got 1199");
  }

  @Test
  void lakeFailsOnADuplicateAndOnTheUnarchivedTail() throws Exception {
    assertThat(ChaosChecks.lake(verifyReport(701, 699, 1, null), Map.of(0, 700L, 1, 500L), 1200).firstDifferences())
        .contains("partition 0: 1 rows repeat an archived offset");
    assertThat(ChaosChecks.lake(verifyReport(690, 689, 0, null), Map.of(0, 700L, 1, 500L), 1200).firstDifferences())
        .contains("partition 0: expected offsets 0..699 (700 records), archived 690 rows, offsets 0..689");
  }

  @Test
  void expectedDriftSplitsEachShortfallIntoTooLateThenMissing() {
    WindowKey a = new WindowKey("u1", T0);
    WindowKey b = new WindowKey("u2", T0);
    WindowKey c = new WindowKey("u3", T0);
    Map<WindowKey, Long> truth = Map.of(a, 10L, b, 5L, c, 2L);
    Map<WindowKey, Long> tooLate = Map.of(a, 2L, b, 1L);
    // a: short 3 = 2 too late + 1 missing; b: short 1 = too late; c: 1 over
    Map<WindowKey, Long> speed = Map.of(a, 7L, b, 4L, c, 3L);
    assertThat(ChaosChecks.expectedDrift(truth, tooLate, speed)).isEqualTo(new DriftFigures(17, 14, 3, 0, 1, 1));
  }

  @Test
  void driftFailsWhenAStoredFigureDiffersOrTheReportIsMissing() {
    DriftFigures f = new DriftFigures(100, 95, 5, 0, 0, 0);
    Map<String, Map<CountMetric, DriftFigures>> expected = Map.of("2026-11-24", Map.of(CountMetric.USER, f, CountMetric.PAGE, f));
    assertThat(ChaosChecks.drift(expected, expected).exact()).isTrue();
    CheckResult r = ChaosChecks.drift(expected,
        Map.of("2026-11-24", Map.of(CountMetric.USER, f, CountMetric.PAGE, new DriftFigures(100, 95, 4, 0, 1, 0))));
    assertThat(r.firstDifferences()).containsExactly("2026-11-24 page_view_counts too-late: expected 5, got 4",
        "2026-11-24 page_view_counts missing-from-speed: expected 0, got 1");
    assertThat(ChaosChecks.drift(expected, Map.of()).firstDifferences())
        .contains("2026-11-24 user_page_counts: no drift report stored");
  }

  @Test
  void deadLettersAllowSameSourceRepeatsButNotLossOrAChangedRepeat() {
    Map<String, Long> truth = Map.of("not-json", 2L, "empty-field", 1L);
    List<DeadLetter> dlq = new ArrayList<>(List.of(new DeadLetter("0@5", "not-json", 11), new DeadLetter("1@9", "not-json", 12),
        new DeadLetter("0@7", "empty-field", 13)));
    dlq.add(new DeadLetter("0@5", "not-json", 11)); // an at-least-once repeat after a restore
    assertThat(ChaosChecks.deadLetters(dlq, truth).exact()).isTrue();

    List<DeadLetter> lost = dlq.subList(1, dlq.size());
    assertThat(ChaosChecks.deadLetters(lost, truth).exact()).isTrue(); // 0@5 still there through its repeat
    List<DeadLetter> missing = List.of(dlq.get(0), dlq.get(1));
    assertThat(ChaosChecks.deadLetters(missing, truth).firstDifferences())
        .containsExactly("reason empty-field: expected 1 invalid records, dead-letter topic holds 0");
    List<DeadLetter> changed = new ArrayList<>(dlq);
    changed.add(new DeadLetter("1@9", "not-json", 99));
    assertThat(ChaosChecks.deadLetters(changed, truth).firstDifferences())
        .containsExactly("source 1@9: repeated with a different reason or payload (not-json vs not-json)");
  }

  @Test
  void servingFailsOnASlowScrapeOrAHealthyLookingHealth() {
    assertThat(ChaosChecks.serving(List.of(new ServingProbe(40, 200, 503))).exact()).isTrue();
    assertThat(ChaosChecks.serving(List.of(new ServingProbe(40, 200, 503), new ServingProbe(4100, 200, 503))).firstDifferences())
        .containsExactly("/metrics: 1 of 2 probes not answered 200 within 1 s (slowest 4100 ms)");
    assertThat(ChaosChecks.serving(List.of(new ServingProbe(40, 200, 200))).firstDifferences())
        .containsExactly("/api/health: 1 of 1 probes not 503 (status codes {200=1})");
    assertThat(ChaosChecks.serving(List.of()).exact()).isFalse();
  }
}
