package io.tidemark.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.event.PageViewEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowsTest {
  private static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @ParameterizedTest(name = "{0} -> window {1}")
  @CsvSource({
    "2026-11-24T10:15:00.000Z, 2026-11-24T10:15:00Z",
    "2026-11-24T10:15:59.999Z, 2026-11-24T10:15:00Z",
    "2026-11-24T10:16:00.000Z, 2026-11-24T10:16:00Z",
    "2026-11-24T23:59:59.999Z, 2026-11-24T23:59:00Z",
    "2026-11-25T00:00:00.000Z, 2026-11-25T00:00:00Z",
    "2028-02-29T23:59:30.000Z, 2028-02-29T23:59:00Z",
    "1970-01-01T00:00:00.001Z, 1970-01-01T00:00:00Z"
  })
  void assignsWindowStartByFlooringToTheMinute(String event, String window) {
    assertThat(Windows.windowStart(ms(event))).isEqualTo(ms(window));
    assertThat(Windows.windowEnd(ms(window))).isEqualTo(ms(window) + 60_000);
  }

  @ParameterizedTest(name = "{0} -> day {1} ({2})")
  @CsvSource({
    "2026-11-24T23:59:59.999Z, 2026-11-24, 20261124",
    "2026-11-25T00:00:00.000Z, 2026-11-25, 20261125",
    "2028-02-29T12:00:00.000Z, 2028-02-29, 20280229",
    "2028-02-29T23:59:59.999Z, 2028-02-29, 20280229",
    "2028-03-01T00:00:00.000Z, 2028-03-01, 20280301",
    "2026-12-31T23:59:59.999Z, 2026-12-31, 20261231",
    "2027-01-01T00:00:00.000Z, 2027-01-01, 20270101"
  })
  void assignsDayOfTheWindowStartInUtc(String event, String day, int partition) {
    long start = Windows.windowStart(ms(event));
    assertThat(Windows.day(start)).isEqualTo(LocalDate.parse(day));
    assertThat(Windows.partitionId(Windows.day(start))).isEqualTo(partition);
    assertThat(Windows.belongsToDay(ms(event), LocalDate.parse(day))).isTrue();
  }

  @Test
  void flooringIsCorrectBeforeTheEpoch() {
    assertThat(Windows.windowStart(-1)).isEqualTo(-60_000);
    assertThat(Windows.day(-60_000)).isEqualTo(LocalDate.parse("1969-12-31"));
  }

  @Test
  void dayBoundsCoverExactlyOneDay() {
    LocalDate leap = LocalDate.parse("2028-02-29");
    assertThat(Windows.dayStartMs(leap)).isEqualTo(ms("2028-02-29T00:00:00Z"));
    assertThat(Windows.dayEndMs(leap)).isEqualTo(ms("2028-03-01T00:00:00Z"));
    assertThat(Windows.belongsToDay(ms("2028-03-01T00:00:00Z"), leap)).isFalse();
  }

  @Test
  void metricsKeyByUserAndByPage() {
    PageViewEvent e = new PageViewEvent("e", "u1", "/a", ms("2026-11-24T10:15:59.999Z"));
    assertThat(CountMetric.USER.windowKeyOf(e)).isEqualTo(new WindowKey("u1", ms("2026-11-24T10:15:00Z")));
    assertThat(CountMetric.PAGE.windowKeyOf(e)).isEqualTo(new WindowKey("/a", ms("2026-11-24T10:15:00Z")));
    assertThat(CountMetric.USER.servingTable()).isEqualTo("user_page_counts");
    assertThat(CountMetric.PAGE.servingTable()).isEqualTo("page_view_counts");
  }

  @Test
  void dedupRetentionOutlivesEveryChangeToAWindow() {
    Duration retention = DedupRule.retentionFor(Duration.ofSeconds(5), Duration.ofMinutes(2));
    assertThat(retention).isEqualTo(Duration.ofSeconds(5 + 120 + 60 + 60));
    assertThat(DedupRule.dedupKey(new PageViewEvent("id-1", "u", "/p", 1))).isEqualTo("id-1");
  }
}
