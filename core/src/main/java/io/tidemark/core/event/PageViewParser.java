package io.tidemark.core.event;

import static io.tidemark.core.event.EventContract.EVENT_ID;
import static io.tidemark.core.event.EventContract.PAGE_URL;
import static io.tidemark.core.event.EventContract.TIMESTAMP;
import static io.tidemark.core.event.EventContract.USER_ID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;

/**
 * Turns the raw bytes of a Kafka record into a {@link ParseResult}: the seed JSON format, or an
 * Avro record in the Confluent wire format, told apart by the first byte (0 is the wire format's
 * magic byte and never starts JSON; anything else is read as JSON). Avro records are decoded with
 * their writer schema from {@link WriterSchemas} ({@link PageViewAvro#decodeRecord}) and then meet
 * exactly the rules JSON records meet.
 *
 * <p>The one entry point from untrusted bytes into Tidemark: the speed layer, the batch layer and
 * the generator's ground truth all call it, which is what lets a parity test prove they agree.
 * Uses Jackson's streaming parser (no tree, no reflection) because the speed layer calls it for
 * every record. Unknown fields are ignored so producers can add fields without breaking the
 * pipeline; duplicate fields are rejected because which value wins would be ambiguous.
 *
 * <p>Thread-safe and stateless; never throws on bad input.
 */
public final class PageViewParser {
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private PageViewParser() {}

  /**
   * Parses and validates one record, without a schema registry: an Avro record is {@code
   * unknown-schema}. For callers that only meet JSON (tests, the generator's checks).
   *
   * @param bytes the record value exactly as read from Kafka (may be {@code null})
   * @param arrivalTimestamp the Kafka record timestamp in epoch ms, or {@code <= 0} if unknown
   */
  public static ParseResult parse(byte[] bytes, long arrivalTimestamp) {
    return parse(bytes, arrivalTimestamp, null, null);
  }

  /**
   * Parses and validates one record of either format: what every layer calls.
   *
   * @param schemas writer schemas of Avro records, {@code null} when no registry is configured;
   *     blocks while the registry cannot answer (see {@link WriterSchemas#resolve})
   * @param unknownFields receives fields the contract does not know; {@code null} skips them
   */
  public static ParseResult parse(
      byte[] bytes, long arrivalTimestamp, WriterSchemas schemas, UnknownFieldReader unknownFields) {
    if (bytes != null && bytes.length > 0 && bytes.length <= EventContract.MAX_RECORD_BYTES
        && PageViewAvro.isWireFormat(bytes)) {
      PageViewAvro.Decoded d = PageViewAvro.decodeRecord(bytes, schemas);
      if (unknownFields != null && d.record() != null) {
        for (String field : d.extraFields()) {
          unknownFields.readDecoded(field, d.record().get(field));
        }
      }
      return d.verdict(arrivalTimestamp);
    }
    return parseJson(bytes, arrivalTimestamp, unknownFields);
  }

  /**
   * Receives the top-level fields the contract does not know during {@link #parse(byte[], long,
   * UnknownFieldReader)}'s single pass, for callers that keep them (the lake archives them as
   * columns) without reading the bytes a second time.
   */
  @FunctionalInterface
  public interface UnknownFieldReader {
    /**
     * Called with the parser on the first token of the field's value. May read the value (a
     * structured value up to its end token); whatever it leaves unread is skipped. Called for
     * every unknown field in order, also on a record that turns out invalid later on, so a caller
     * should use what it collected only when the result is {@link ParseResult.Valid}.
     */
    void read(String field, JsonParser parser) throws IOException;

    /**
     * Called for every field of an Avro record's writer schema that Tidemark's reader schema does
     * not have, with its decoded value (null, a {@link CharSequence}, a boxed number or boolean,
     * a {@code ByteBuffer}, or Avro's generic record, array, map or enum). Ignores them by default.
     */
    default void readDecoded(String field, Object value) {}
  }

  /**
   * Parses and validates one record without a schema registry, handing every unknown top-level
   * field to {@code unknownFields} on the way. The verdict is exactly that of {@link #parse(byte[],
   * long)}.
   *
   * @param unknownFields receives unknown fields; {@code null} skips them
   */
  public static ParseResult parse(byte[] bytes, long arrivalTimestamp, UnknownFieldReader unknownFields) {
    return parse(bytes, arrivalTimestamp, null, unknownFields);
  }

  private static ParseResult parseJson(byte[] bytes, long arrivalTimestamp, UnknownFieldReader unknownFields) {
    if (bytes == null || bytes.length == 0) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "record value is empty");
    }
    if (bytes.length > EventContract.MAX_RECORD_BYTES) {
      return new ParseResult.Invalid(
          InvalidReason.RECORD_TOO_LARGE,
          "record has " + bytes.length + " bytes, max " + EventContract.MAX_RECORD_BYTES);
    }
    try (JsonParser p = JSON.createParser(bytes)) {
      return parseObject(p, arrivalTimestamp, unknownFields);
    } catch (JsonProcessingException e) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "unreadable record: " + e.getMessage());
    }
  }

  private static ParseResult parseObject(JsonParser p, long arrivalTimestamp, UnknownFieldReader unknownFields)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "record is not a JSON object");
    }
    String eventId = null;
    String userId = null;
    String pageUrl = null;
    Long timestamp = null;
    ParseResult.Invalid wrongType = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case EVENT_ID -> eventId = stringValue(p, v);
        case USER_ID -> userId = stringValue(p, v);
        case PAGE_URL -> pageUrl = stringValue(p, v);
        case TIMESTAMP -> timestamp = longValue(p, v);
        default -> {
          if (unknownFields != null) {
            unknownFields.read(field, p);
          }
          p.skipChildren();
          continue;
        }
      }
      if (wrongType == null && v != JsonToken.VALUE_NULL && wrongTypeOf(field, v, p) != null) {
        wrongType = wrongTypeOf(field, v, p);
      }
      p.skipChildren();
    }
    if (t != JsonToken.END_OBJECT) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "malformed JSON object");
    }
    if (p.nextToken() != null) {
      return new ParseResult.Invalid(InvalidReason.NOT_JSON, "trailing content after the JSON object");
    }
    if (wrongType != null) {
      return wrongType;
    }
    return EventValidator.validate(eventId, userId, pageUrl, timestamp, arrivalTimestamp);
  }

  private static String stringValue(JsonParser p, JsonToken v) throws IOException {
    return v == JsonToken.VALUE_STRING ? p.getText() : null;
  }

  private static Long longValue(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    return null;
  }

  private static ParseResult.Invalid wrongTypeOf(String field, JsonToken v, JsonParser p)
      throws IOException {
    boolean timestampField = TIMESTAMP.equals(field);
    if (!timestampField && v != JsonToken.VALUE_STRING) {
      return new ParseResult.Invalid(
          InvalidReason.WRONG_TYPE, field + " must be a string, got " + describe(v));
    }
    if (timestampField && v != JsonToken.VALUE_NUMBER_INT) {
      return new ParseResult.Invalid(
          InvalidReason.WRONG_TYPE, field + " must be an integer (epoch ms), got " + describe(v));
    }
    if (timestampField && p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      return new ParseResult.Invalid(InvalidReason.WRONG_TYPE, field + " does not fit in 64 bits");
    }
    return null;
  }

  private static String describe(JsonToken v) {
    return switch (v) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a fraction";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> v.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
