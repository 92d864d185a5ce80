package io.tidemark.serving.api;

import io.tidemark.core.event.EventContract;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Strict parsing of query parameters. Each method either returns a value inside its bounds or
 * throws {@link BadRequestException} with a sentence naming the parameter, the value and what
 * was expected; nothing is coerced or clamped silently. Unknown and repeated parameters are
 * rejected too, so a typo ({@code limt=5}) is an error rather than a default.
 */
final class Params {
  /** Earliest instant accepted: ClickHouse's DateTime starts at the epoch. */
  static final Instant MIN_TIME = Instant.parse("1970-01-02T00:00:00Z");
  /** Latest instant accepted: ClickHouse's DateTime (UInt32 seconds) ends in 2106. */
  static final Instant MAX_TIME = Instant.parse("2105-12-31T00:00:00Z");
  private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,19}");
  private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  private final Map<String, List<String>> query;

  Params(Map<String, List<String>> query, Set<String> allowed) {
    this.query = query;
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw new BadRequestException(
            "Unknown parameter '" + e.getKey() + "'"
                + (allowed.isEmpty() ? ": this endpoint takes none" : "; allowed: " + String.join(", ", new TreeSet<>(allowed))));
      }
      if (e.getValue().size() > 1) {
        throw new BadRequestException("Parameter '" + e.getKey() + "' is given " + e.getValue().size() + " times; give it once");
      }
    }
  }

  boolean has(String name) {
    return query.containsKey(name);
  }

  String raw(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** A required text key (user_id, page_url): non-empty, at most {@code maxLength}, no control characters. */
  String key(String name, int maxLength) {
    String v = raw(name);
    if (v == null || v.isEmpty()) {
      throw new BadRequestException("Parameter '" + name + "' is required");
    }
    if (v.length() > maxLength) {
      throw new BadRequestException(
          "Parameter '" + name + "' is " + v.length() + " characters long; at most " + maxLength + " allowed");
    }
    for (int i = 0; i < v.length(); i++) {
      if (Character.isISOControl(v.charAt(i))) {
        throw new BadRequestException("Parameter '" + name + "' contains a control character at position " + i);
      }
    }
    if (!v.strip().equals(v)) {
      throw new BadRequestException("Parameter '" + name + "' has leading or trailing whitespace");
    }
    return v;
  }

  String userId() {
    return key("user_id", EventContract.MAX_USER_ID_LENGTH);
  }

  String pageUrl() {
    return key("page_url", EventContract.MAX_PAGE_URL_LENGTH);
  }

  /**
   * A required instant: ISO-8601 ({@code 2026-11-24T10:00:00Z}, offsets allowed) or epoch
   * milliseconds, in whole seconds, between 1970-01-02 and 2105-12-31.
   */
  Instant instant(String name) {
    String v = raw(name);
    if (v == null || v.isEmpty()) {
      throw new BadRequestException("Parameter '" + name + "' is required (ISO-8601 such as 2026-11-24T10:00:00Z, or epoch milliseconds)");
    }
    Instant t;
    if (DIGITS.matcher(v).matches()) {
      try {
        t = Instant.ofEpochMilli(Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new BadRequestException("Parameter '" + name + "' is not a valid epoch milliseconds value: '" + v + "'");
      }
    } else {
      try {
        t = java.time.OffsetDateTime.parse(v).toInstant();
      } catch (DateTimeParseException e) {
        throw new BadRequestException(
            "Parameter '" + name + "' is not a time: '" + v + "' (expected ISO-8601 such as 2026-11-24T10:00:00Z, or epoch milliseconds)");
      }
    }
    if (t.getNano() != 0) {
      throw new BadRequestException("Parameter '" + name + "' has a fraction of a second (" + v + "); give whole seconds");
    }
    if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
      throw new BadRequestException("Parameter '" + name + "' is " + t + ", outside " + MIN_TIME + " .. " + MAX_TIME);
    }
    return t;
  }

  /** A range {@code [from, to)} with from before to and at most {@code maxRange} long. */
  Instant[] range(Duration maxRange) {
    Instant from = instant("from");
    Instant to = instant("to");
    if (!from.isBefore(to)) {
      throw new BadRequestException("Parameter 'from' (" + from + ") must be before 'to' (" + to + ")");
    }
    Duration length = Duration.between(from, to);
    if (length.compareTo(maxRange) > 0) {
      throw new BadRequestException(
          "Range " + from + " .. " + to + " is " + human(length) + " long; at most " + human(maxRange) + " allowed");
    }
    return new Instant[] {from, to};
  }

  /** An optional integer in {@code [min, max]}, else {@code defaultValue}. */
  int integer(String name, int min, int max, int defaultValue) {
    String v = raw(name);
    if (v == null) {
      return defaultValue;
    }
    if (!DIGITS.matcher(v).matches()) {
      throw new BadRequestException("Parameter '" + name + "' must be a whole number, got '" + v + "'");
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new BadRequestException("Parameter '" + name + "' must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new BadRequestException("Parameter '" + name + "' is " + n + "; allowed " + min + " .. " + max);
    }
    return (int) n;
  }

  /** A required UTC day, {@code yyyy-MM-dd}. */
  static LocalDate day(String name, String v) {
    if (v == null || !DAY.matcher(v).matches()) {
      throw new BadRequestException("Parameter '" + name + "' must be a day such as 2026-11-24, got '" + v + "'");
    }
    try {
      LocalDate d = LocalDate.parse(v);
      if (d.getYear() < 1970 || d.getYear() > 2105) {
        throw new BadRequestException("Parameter '" + name + "' is " + d + ", outside 1970 .. 2105");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new BadRequestException("Parameter '" + name + "' is not a calendar day: '" + v + "'");
    }
  }

  static String human(Duration d) {
    if (d.toSeconds() % 86_400 == 0) {
      return d.toDays() + "d";
    }
    if (d.toSeconds() % 3_600 == 0) {
      return d.toHours() + "h";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }
}
