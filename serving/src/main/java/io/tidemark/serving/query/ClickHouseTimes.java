package io.tidemark.serving.query;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Conversions of ClickHouse's {@code DateTime('UTC')} text ({@code yyyy-MM-dd HH:mm:ss}). */
public final class ClickHouseTimes {
  private static final DateTimeFormatter CH_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ClickHouseTimes() {}

  /**
   * The instant of a DateTime; ClickHouse's zero DateTime (what {@code max()} of an empty table
   * gives: {@code 0000-00-00 00:00:00} on 18.16, {@code 1970-01-01 00:00:00} on current
   * versions) is {@link Instant#EPOCH}.
   */
  public static Instant instant(String clickHouseDateTime) {
    if (clickHouseDateTime.startsWith("0000-00-00")) {
      return Instant.EPOCH;
    }
    return LocalDateTime.parse(clickHouseDateTime, CH_DATE_TIME).toInstant(ZoneOffset.UTC);
  }

  /** ISO-8601 ({@code 2026-11-24T10:00:00Z}), the API's time format. */
  public static String iso(String clickHouseDateTime) {
    return instant(clickHouseDateTime).toString();
  }
}
