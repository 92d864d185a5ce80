package io.tidemark.lake.table;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The archive's reading of one raw event: the contract's verdict ({@link PageViewParser}) plus
 * whatever fields could be read, also from an invalid record, plus unknown top-level fields for
 * schema evolution. Shared by the Connect transform and {@code lake import}, so both paths write
 * the same row for the same bytes.
 *
 * @param eventTimeMs the timestamp when an Iceberg timestamp can hold it and it is positive, else null
 * @param raw the original bytes when invalid, else null
 * @param extras unknown fields as text (JSON for non-strings), sorted by name
 */
public record EventFields(
    String eventId,
    String userId,
    String pageUrl,
    Long timestamp,
    Long eventTimeMs,
    boolean valid,
    String invalidReason,
    String invalidDetail,
    byte[] raw,
    Map<String, String> extras) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EXTRA_NAME = Pattern.compile(PageViewTable.EXTRA_FIELD_PATTERN);
  /** At most this many unknown fields per record become columns. */
  public static final int MAX_EXTRA_FIELDS = 32;
  private static final Set<String> RESERVED = Set.copyOf(
      PageViewTable.SCHEMA.columns().stream().map(f -> f.name()).toList());

  /**
   * Reads one record.
   *
   * @param bytes the record value (may be null)
   * @param arrivalMs when the record arrived (Kafka timestamp, or import time), {@code <= 0} if unknown
   */
  public static EventFields read(byte[] bytes, long arrivalMs) {
    ParseResult result = PageViewParser.parse(bytes, arrivalMs);
    Lenient l = Lenient.read(bytes);
    String eventId;
    String userId;
    String pageUrl;
    Long timestamp;
    if (result instanceof ParseResult.Valid v) {
      eventId = v.event().eventId();
      userId = v.event().userId();
      pageUrl = v.event().pageUrl();
      timestamp = v.event().timestamp();
    } else {
      eventId = l.eventId;
      userId = l.userId;
      pageUrl = l.pageUrl;
      timestamp = l.timestamp;
    }
    Long eventTime = timestamp != null && timestamp > 0 && timestamp <= PageViewTable.MAX_EVENT_TIME_MS ? timestamp : null;
    Map<String, String> extras = l.extras == null ? Map.of() : l.extras;
    if (result instanceof ParseResult.Invalid inv) {
      return new EventFields(eventId, userId, pageUrl, timestamp, eventTime, false, inv.reason().code(), inv.detail(),
          bytes == null ? new byte[0] : bytes, extras);
    }
    return new EventFields(eventId, userId, pageUrl, timestamp, eventTime, true, null, null, null, extras);
  }

  /**
   * One streaming pass over a JSON object: the seed fields wherever they have the right type (the
   * first occurrence), and unknown top-level fields as text. Anything unreadable yields what was
   * read so far; never throws.
   */
  private static final class Lenient {
    String eventId;
    String userId;
    String pageUrl;
    Long timestamp;
    Map<String, String> extras;

    static Lenient read(byte[] bytes) {
      Lenient l = new Lenient();
      if (bytes == null || bytes.length == 0 || bytes.length > EventContract.MAX_RECORD_BYTES) {
        return l;
      }
      try (JsonParser p = JSON.getFactory().createParser(bytes)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return l;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          switch (name) {
            case EventContract.EVENT_ID -> l.eventId = l.eventId == null && v == JsonToken.VALUE_STRING ? p.getText() : l.eventId;
            case EventContract.USER_ID -> l.userId = l.userId == null && v == JsonToken.VALUE_STRING ? p.getText() : l.userId;
            case EventContract.PAGE_URL -> l.pageUrl = l.pageUrl == null && v == JsonToken.VALUE_STRING ? p.getText() : l.pageUrl;
            case EventContract.TIMESTAMP -> {
              if (l.timestamp == null && v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                l.timestamp = p.getLongValue();
              }
            }
            default -> {
              if (v == JsonToken.VALUE_NULL || RESERVED.contains(name) || !EXTRA_NAME.matcher(name).matches()
                  || (l.extras != null && (l.extras.size() >= MAX_EXTRA_FIELDS || l.extras.containsKey(name)))) {
                p.skipChildren();
              } else {
                String text = v == JsonToken.VALUE_STRING ? p.getText()
                    : v.isScalarValue() ? p.getText() : JSON.writeValueAsString(p.readValueAsTree());
                if (l.extras == null) {
                  l.extras = new TreeMap<>();
                }
                l.extras.put(name, text);
              }
              continue;
            }
          }
          p.skipChildren();
        }
      } catch (java.io.IOException | RuntimeException e) {
        // keep what was read
      }
      return l;
    }
  }
}
