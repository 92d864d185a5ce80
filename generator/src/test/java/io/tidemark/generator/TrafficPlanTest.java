package io.tidemark.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficPlanTest {
  private static final Instant START = Instant.parse("2026-11-24T23:58:30Z");
  private static final long SENT_AT = START.toEpochMilli();

  private static GeneratorSpec spec(long seed) {
    return GeneratorSpec.builder()
        .rate(200).duration(Duration.ofSeconds(150)).users(30).pages(10).seed(seed)
        .startTime(START).outOfOrderMs(4_000)
        .lateFraction(0.05).duplicateFraction(0.05).invalidFraction(0.05)
        .build();
  }

  private static List<GeneratedRecord> records(GeneratorSpec spec) {
    List<GeneratedRecord> out = new ArrayList<>();
    new TrafficPlan(spec, SENT_AT).forEach(out::add);
    return out;
  }

  @Test
  void sameSpecGivesSameRecords() {
    List<GeneratedRecord> a = records(spec(7));
    List<GeneratedRecord> b = records(spec(7));
    assertThat(a).hasSize(30_000).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
    }
    assertThat(Arrays.equals(records(spec(8)).get(5).value(), a.get(5).value())).isFalse();
  }

  @Test
  void everyRecordIsWhatItClaimsToBeUnderTheContract() {
    Set<String> seen = new HashSet<>();
    for (GeneratedRecord r : records(spec(1))) {
      ParseResult p = PageViewParser.parse(r.value(), SENT_AT);
      switch (r.kind()) {
        case INVALID -> assertThat(p).isInstanceOfSatisfying(ParseResult.Invalid.class,
            i -> assertThat(i.reason()).isEqualTo(r.expectedReason()));
        case DUPLICATE -> {
          assertThat(p.isValid()).isTrue();
          assertThat(seen).contains(r.event().eventId());
        }
        case ON_TIME, TOO_LATE -> {
          assertThat(p).isEqualTo(new ParseResult.Valid(r.event()));
          assertThat(seen.add(r.event().eventId())).as("event ids are unique").isTrue();
        }
      }
    }
  }

  @Test
  void lateRecordsComeAfterWarmUpAndLieBeyondTheLateness() {
    List<GeneratedRecord> all = records(spec(3));
    TrafficPlan plan = new TrafficPlan(spec(3), SENT_AT);
    for (int i = 0; i < all.size(); i++) {
      GeneratedRecord r = all.get(i);
      if (r.kind() == GeneratedRecord.Kind.TOO_LATE) {
        assertThat(i).isGreaterThanOrEqualTo((int) (all.size() * GeneratorSpec.LATE_WARMUP_SHARE));
        assertThat(plan.nominalTime(i) - r.event().timestamp()).isGreaterThanOrEqualTo(Duration.ofMinutes(10).toMillis());
      }
      if (r.kind() == GeneratedRecord.Kind.ON_TIME) {
        assertThat(plan.nominalTime(i) - r.event().timestamp()).isBetween(0L, 4_000L);
      }
    }
  }

  @Test
  void fractionsAreRoughlyAsAsked() {
    GroundTruth t = new GroundTruth();
    records(spec(11)).forEach(t::add);
    assertThat(t.produced()).isEqualTo(30_000);
    assertThat(t.invalid()).isBetween(1_200L, 1_800L);
    assertThat(t.duplicates()).isBetween(1_200L, 1_800L);
    assertThat(t.tooLate()).isBetween(900L, 1_500L);
    assertThat(t.invalid() + t.duplicates() + t.validDistinct()).isEqualTo(30_000);
  }

  @Test
  void groundTruthCountsAgreeWithARecountAndSpansMidnight(@TempDir Path dir) {
    List<GeneratedRecord> all = records(spec(5));
    GroundTruth t = new GroundTruth();
    all.forEach(t::add);
    long userTotal = t.counts(CountMetric.USER).values().stream().mapToLong(Long::longValue).sum();
    long pageTotal = t.counts(CountMetric.PAGE).values().stream().mapToLong(Long::longValue).sum();
    assertThat(userTotal).isEqualTo(t.validDistinct()).isEqualTo(pageTotal);
    long speedTotal = t.speedCounts(CountMetric.USER).values().stream().mapToLong(Long::longValue).sum();
    assertThat(speedTotal).isEqualTo(t.validDistinct() - t.tooLate());
    assertThat(t.counts(CountMetric.USER).keySet())
        .extracting(k -> Windows.day(k.windowStart()).toString())
        .contains("2026-11-24", "2026-11-25");

    Path file = dir.resolve("truth.json");
    t.write(file, spec(5));
    GroundTruth back = GroundTruth.read(file);
    assertThat(back.counts(CountMetric.USER)).isEqualTo(t.counts(CountMetric.USER));
    assertThat(back.counts(CountMetric.PAGE)).isEqualTo(t.counts(CountMetric.PAGE));
    assertThat(back.tooLateCounts(CountMetric.PAGE)).isEqualTo(t.tooLateCounts(CountMetric.PAGE));
    assertThat(back.tooLateEventIds()).isEqualTo(t.tooLateEventIds());
    assertThat(back.invalidByReason()).isEqualTo(t.invalidByReason());
    assertThat(back.duplicates()).isEqualTo(t.duplicates());
  }

  @Test
  void rejectsImpossibleSpecsWithTheOptionName() {
    assertThatThrownBy(() -> GeneratorSpec.builder().rate(0).build())
        .hasMessage("rate must be between 1 and 10000000 records/s, got 0.0");
    assertThatThrownBy(() -> GeneratorSpec.builder().lateFraction(1.5).build())
        .hasMessage("late-fraction must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> GeneratorSpec.builder().lateFraction(0.5).invalidFraction(0.5).build())
        .hasMessageStartingWith("late-fraction + duplicate-fraction + invalid-fraction must be at most 0.9");
  }
}
