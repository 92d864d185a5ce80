package io.tidemark.lake.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import java.util.Iterator;
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
    JsonNode node = lenientTree(bytes);
    Map<String, String> extras = extraFields(node);
    String eventId;
    String userId;
    String pageUrl;
    Long timestamp = null;
    if (result instanceof ParseResult.Valid v) {
      eventId = v.event().eventId();
      userId = v.event().userId();
      pageUrl = v.event().pageUrl();
      timestamp = v.event().timestamp();
    } else {
      eventId = text(node, EventContract.EVENT_ID);
      userId = text(node, EventContract.USER_ID);
      pageUrl = text(node, EventContract.PAGE_URL);
      JsonNode ts = node == null ? null : node.get(EventContract.TIMESTAMP);
      if (ts != null && ts.isIntegralNumber() && ts.canConvertToLong()) {
        timestamp = ts.longValue();
      }
    }
    Long eventTime = timestamp != null && timestamp > 0 && timestamp <= PageViewTable.MAX_EVENT_TIME_MS ? timestamp : null;
    if (result instanceof ParseResult.Invalid inv) {
      return new EventFields(eventId, userId, pageUrl, timestamp, eventTime, false, inv.reason().code(), inv.detail(),
          bytes == null ? new byte[0] : bytes, extras);
    }
    return new EventFields(eventId, userId, pageUrl, timestamp, eventTime, true, null, null, null, extras);
  }

  private static Map<String, String> extraFields(JsonNode node) {
    if (node == null || node.size() <= 4) {
      return Map.of();
    }
    Map<String, String> extras = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext() && extras.size() < MAX_EXTRA_FIELDS) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      if (RESERVED.contains(name) || !EXTRA_NAME.matcher(name).matches() || f.getValue().isNull()) {
        continue;
      }
      extras.put(name, f.getValue().isTextual() ? f.getValue().textValue() : f.getValue().toString());
    }
    return extras;
  }

  private static JsonNode lenientTree(byte[] bytes) {
    if (bytes == null || bytes.length == 0 || bytes.length > EventContract.MAX_RECORD_BYTES) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      return n != null && n.isObject() ? n : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }
}
