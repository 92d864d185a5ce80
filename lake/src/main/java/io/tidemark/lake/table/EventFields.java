package io.tidemark.lake.table;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.event.WriterSchemas;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import java.io.IOException;
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
 * <p>An Avro record (Confluent wire format) is decoded once with its writer schema: its contract
 * fields fill the columns as for JSON (also when it breaks a field rule), the writer's other fields
 * are extras like a JSON record's unknown fields (so {@code referrer} of an evolved schema becomes
 * a column), its schema id is kept, and its original bytes are kept whether valid or not (the
 * bytes plus the id are the record as the producer wrote it; a JSON record's columns already are).
 *
 * @param eventTimeMs the timestamp when an Iceberg timestamp can hold it and it is positive, else null
 * @param raw the original bytes when invalid, else null
 * @param extras unknown fields as text (JSON for non-strings), sorted by name
 * @param schemaId the registry schema id of an Avro record, null for JSON
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
    Map<String, String> extras,
    Integer schemaId) {

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
    return read(bytes, arrivalMs, null);
  }

  /**
   * Reads one record of either format.
   *
   * @param schemas writer schemas of Avro records, null when no registry is configured; blocks
   *     while the registry cannot answer (never a verdict on the record)
   */
  public static EventFields read(byte[] bytes, long arrivalMs, WriterSchemas schemas) {
    if (bytes != null && bytes.length > 0 && bytes.length <= EventContract.MAX_RECORD_BYTES
        && PageViewAvro.isWireFormat(bytes)) {
      return readAvro(bytes, arrivalMs, schemas);
    }
    // One pass for a valid record (the common case): the contract's parser hands over the unknown
    // fields as it goes. Only an invalid record is read a second time, leniently.
    ExtraFields extras = new ExtraFields();
    ParseResult result = PageViewParser.parse(bytes, arrivalMs, extras);
    if (result instanceof ParseResult.Valid v) {
      PageViewEvent e = v.event();
      return new EventFields(e.eventId(), e.userId(), e.pageUrl(), e.timestamp(), eventTime(e.timestamp()), true,
          null, null, null, extras.asMap(), null);
    }
    ParseResult.Invalid inv = (ParseResult.Invalid) result;
    Lenient l = Lenient.read(bytes);
    return new EventFields(l.eventId, l.userId, l.pageUrl, l.timestamp, eventTime(l.timestamp), false,
        inv.reason().code(), inv.detail(), bytes == null ? new byte[0] : bytes, l.extras.asMap(), null);
  }

  private static EventFields readAvro(byte[] bytes, long arrivalMs, WriterSchemas schemas) {
    PageViewAvro.Decoded d = PageViewAvro.decodeRecord(bytes, schemas);
    ParseResult result = d.verdict(arrivalMs);
    ExtraFields extras = new ExtraFields();
    GenericRecord r = d.record();
    String eventId = null;
    String userId = null;
    String pageUrl = null;
    Long timestamp = null;
    if (r != null) {
      eventId = text(r.get(EventContract.EVENT_ID));
      userId = text(r.get(EventContract.USER_ID));
      pageUrl = text(r.get(EventContract.PAGE_URL));
      timestamp = r.get(EventContract.TIMESTAMP) instanceof Long t ? t : null;
      for (String field : d.extraFields()) {
        extras.readDecoded(field, r.get(field));
      }
    }
    ParseResult.Invalid inv = result instanceof ParseResult.Invalid i ? i : null;
    return new EventFields(eventId, userId, pageUrl, timestamp, eventTime(timestamp), inv == null,
        inv == null ? null : inv.reason().code(), inv == null ? null : inv.detail(), bytes, extras.asMap(), d.schemaId());
  }

  private static String text(Object o) {
    return o instanceof CharSequence cs ? cs.toString() : null;
  }

  private static Long eventTime(Long timestamp) {
    return timestamp != null && timestamp > 0 && timestamp <= PageViewTable.MAX_EVENT_TIME_MS ? timestamp : null;
  }

  /**
   * Unknown top-level fields that become columns: a name matching {@link
   * PageViewTable#EXTRA_FIELD_PATTERN}, not a column already, not null, the first occurrence, at
   * most {@link #MAX_EXTRA_FIELDS}; the value as text (JSON for anything but a string).
   */
  private static final class ExtraFields implements PageViewParser.UnknownFieldReader {
    private Map<String, String> fields;

    @Override
    public void read(String name, JsonParser p) throws IOException {
      JsonToken v = p.currentToken();
      if (v == JsonToken.VALUE_NULL || RESERVED.contains(name) || !EXTRA_NAME.matcher(name).matches()
          || (fields != null && (fields.size() >= MAX_EXTRA_FIELDS || fields.containsKey(name)))) {
        return;
      }
      String text = v.isScalarValue() ? p.getText() : JSON.writeValueAsString(JSON.readTree(p));
      if (fields == null) {
        fields = new TreeMap<>();
      }
      fields.put(name, text);
    }

    /** An Avro extra field: strings as they are, anything else as Avro's JSON rendering. */
    @Override
    public void readDecoded(String name, Object value) {
      if (value == null || RESERVED.contains(name) || !EXTRA_NAME.matcher(name).matches()
          || (fields != null && (fields.size() >= MAX_EXTRA_FIELDS || fields.containsKey(name)))) {
        return;
      }
      if (fields == null) {
        fields = new TreeMap<>();
      }
      fields.put(name, value instanceof CharSequence cs ? cs.toString() : GenericData.get().toString(value));
    }

    Map<String, String> asMap() {
      return fields == null ? Map.of() : fields;
    }
  }

  /**
   * One streaming pass over a JSON object that broke the contract: the seed fields wherever they
   * have the right type (the first occurrence), and unknown top-level fields as text. Anything
   * unreadable yields what was read so far; never throws.
   */
  private static final class Lenient {
    String eventId;
    String userId;
    String pageUrl;
    Long timestamp;
    final ExtraFields extras = new ExtraFields();

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
            default -> l.extras.read(name, p);
          }
          p.skipChildren();
        }
      } catch (IOException | RuntimeException e) {
        // keep what was read
      }
      return l;
    }
  }
}
