package io.tidemark.serving.query;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Conversions of ClickHouse's {@code DateTime('UTC')} text ({@code yyyy-MM-dd HH:mm:ss}). */
public final class ClickHouseTimes {
  private static final DateTimeFormatter CH_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ClickHouseTimes() {}

  public static Instant instant(String clickHouseDateTime) {
    return LocalDateTime.parse(clickHouseDateTime, CH_DATE_TIME).toInstant(ZoneOffset.UTC);
  }

  /** ISO-8601 ({@code 2026-11-24T10:00:00Z}), the API's time format. */
  public static String iso(String clickHouseDateTime) {
    return instant(clickHouseDateTime).toString();
  }
}
