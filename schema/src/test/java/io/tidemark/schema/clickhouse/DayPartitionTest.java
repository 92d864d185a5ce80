package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DayPartitionTest {

  @ParameterizedTest
  @CsvSource({"2026-11-24,20261124", "2028-02-29,20280229", "1970-01-01,19700101", "2106-02-06,21060206"})
  void computesYyyymmddOfDay(LocalDate day, int expected) {
    assertThat(DayPartition.of(day)).isEqualTo(expected);
  }

  @Test
  void rejectsDayBeforeDateTimeRange() {
    assertThatThrownBy(() -> DayPartition.of(LocalDate.of(1969, 12, 31)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Day 1969-12-31 is outside ClickHouse DateTime's range 1970-01-01..2106-02-06");
  }

  @Test
  void rejectsDayAfterDateTimeRange() {
    assertThatThrownBy(() -> DayPartition.of(LocalDate.of(2106, 2, 7)))
        .hasMessage("Day 2106-02-07 is outside ClickHouse DateTime's range 1970-01-01..2106-02-06");
  }

  @Test
  void assignsLastWindowBeforeMidnightUtcToThatDay() {
    assertThat(DayPartition.dayOf(Instant.parse("2026-11-24T23:59:00Z"))).isEqualTo(LocalDate.of(2026, 11, 24));
    assertThat(DayPartition.dayOf(Instant.parse("2026-11-25T00:00:00Z"))).isEqualTo(LocalDate.of(2026, 11, 25));
  }
}
