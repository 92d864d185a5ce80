package io.tidemark.core.metric;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Window and day assignment, one definition for the speed layer (Flink), the batch layer (Spark),
 * the generator's ground truth and reconciliation.
 *
 * <p>A count belongs to the 1-minute tumbling window {@code [windowStart, windowStart + 60 s)} with
 * {@code windowStart = floor(timestamp / 60000) * 60000}, UTC; the window belongs to the UTC day
 * of {@code windowStart}. Floor division (not {@code /}) keeps the rule right for any long.
 */
public final class Windows {
  private Windows() {}

  /** Size of every count window. */
  public static final Duration SIZE = Duration.ofMinutes(1);

  /** {@link #SIZE} in milliseconds. */
  public static final long SIZE_MS = SIZE.toMillis();

  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  /** Start of the window holding {@code timestampMs}, in epoch ms. */
  public static long windowStart(long timestampMs) {
    return Math.floorDiv(timestampMs, SIZE_MS) * SIZE_MS;
  }

  /** Exclusive end of the window starting at {@code windowStartMs}. */
  public static long windowEnd(long windowStartMs) {
    return windowStartMs + SIZE_MS;
  }

  /** The UTC day partition of a window (the day of its start). */
  public static LocalDate day(long windowStartMs) {
    return LocalDate.ofEpochDay(Math.floorDiv(windowStartMs, DAY_MS));
  }

  /**
   * The ClickHouse partition id of a day, {@code toYYYYMMDD}: {@code 2026-11-24 -> 20261124}.
   * An int computed here, never text from a user, so it is safe inside DDL.
   */
  public static int partitionId(LocalDate day) {
    return day.getYear() * 10_000 + day.getMonthValue() * 100 + day.getDayOfMonth();
  }

  /** First millisecond of a UTC day. */
  public static long dayStartMs(LocalDate day) {
    return day.toEpochDay() * DAY_MS;
  }

  /** Exclusive end of a UTC day, in epoch ms. */
  public static long dayEndMs(LocalDate day) {
    return dayStartMs(day) + DAY_MS;
  }

  /** Whether an event at {@code timestampMs} counts towards the given UTC day. */
  public static boolean belongsToDay(long timestampMs, LocalDate day) {
    return day(windowStart(timestampMs)).equals(day);
  }

  /** The window start as an instant, for printing. */
  public static Instant instant(long windowStartMs) {
    return Instant.ofEpochMilli(windowStartMs).atOffset(ZoneOffset.UTC).toInstant();
  }
}
