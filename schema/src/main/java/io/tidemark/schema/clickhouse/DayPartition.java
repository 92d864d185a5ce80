package io.tidemark.schema.clickhouse;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The ClickHouse partition of one UTC day: every Tidemark table is {@code PARTITION BY
 * toYYYYMMDD(...)} of a {@code DateTime('UTC')} column, so a day's partition value is the integer
 * {@code yyyymmdd}. Partition values that go into {@code ALTER TABLE ... PARTITION} statements are
 * always computed here from a {@link LocalDate}, never taken from text.
 */
public final class DayPartition {
  /** First day a ClickHouse {@code DateTime} can hold. */
  public static final LocalDate MIN_DAY = LocalDate.of(1970, 1, 1);
  /** Last full day a ClickHouse {@code DateTime} (UInt32 seconds) can hold. */
  public static final LocalDate MAX_DAY = LocalDate.of(2106, 2, 6);

  private DayPartition() {}

  /**
   * The partition value of {@code day}, e.g. {@code 20261124} for 2026-11-24.
   *
   * @throws IllegalArgumentException when the day is outside what {@code DateTime} can store
   */
  public static int of(LocalDate day) {
    if (day.isBefore(MIN_DAY) || day.isAfter(MAX_DAY)) {
      throw new IllegalArgumentException(
          "Day " + day + " is outside ClickHouse DateTime's range " + MIN_DAY + ".." + MAX_DAY);
    }
    return day.getYear() * 10_000 + day.getMonthValue() * 100 + day.getDayOfMonth();
  }

  /** The UTC day, and so the partition, that a window starting at {@code windowStart} belongs to. */
  public static LocalDate dayOf(Instant windowStart) {
    return LocalDate.ofInstant(windowStart, ZoneOffset.UTC);
  }
}
