package io.tidemark.core.event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The event contract as an Avro record ({@code pageview.avsc}, Tidemark's reader schema), for
 * producers that use Avro and a schema registry instead of JSON, in the Confluent wire format:
 * magic byte 0, the writer schema's registry id as 4 bytes big-endian, then Avro binary. Decoded
 * records go through the same {@link EventValidator} rules as JSON ones; {@link PageViewParser}
 * tells the two formats apart by the first byte and calls {@link #decodeRecord} for Avro.
 *
 * <p>{@code pageview.avsc} is exactly the schema Tidemark's producers register (record {@code
 * PageView}, no namespace; {@code logicalType} sits beside {@code "type": "long"}, so {@code
 * timestamp} is a plain long of epoch milliseconds UTC). It is Tidemark's reader schema: {@code
 * ./tidemark migrate} registers it under {@code tidemark.schema-registry.subject}, and {@code
 * ./tidemark schema check} refuses a candidate whose records this schema cannot read. Field
 * meanings and bounds are those of {@link EventContract}.
 */
public final class PageViewAvro {
  /** The schema in {@code /avro/pageview.avsc} on the classpath. */
  public static final Schema SCHEMA = load();

  /** First byte of a record in the Confluent wire format. */
  public static final byte WIRE_MAGIC = 0;

  /** Magic byte and schema id. */
  public static final int WIRE_HEADER_BYTES = 5;

  private PageViewAvro() {}

  private static Schema load() {
    try (InputStream in = PageViewAvro.class.getResourceAsStream("/avro/pageview.avsc")) {
      if (in == null) {
        throw new IllegalStateException("pageview.avsc missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code bytes} start like the Confluent wire format (JSON never starts with byte 0). */
  public static boolean isWireFormat(byte[] bytes) {
    return bytes != null && bytes.length > 0 && bytes[0] == WIRE_MAGIC;
  }

  public static GenericRecord toRecord(PageViewEvent e) {
    return toRecord(e, SCHEMA);
  }

  /**
   * The event as a record of {@code writer}, a schema with the contract's fields (a producer's
   * own, maybe with more fields: those are left at their defaults or null).
   */
  public static GenericRecord toRecord(PageViewEvent e, Schema writer) {
    GenericRecord r = new GenericData.Record(writer);
    for (Schema.Field f : writer.getFields()) {
      if (f.hasDefaultValue()) {
        r.put(f.pos(), GenericData.get().getDefaultValue(f));
      }
    }
    r.put(EventContract.EVENT_ID, e.eventId());
    r.put(EventContract.USER_ID, e.userId());
    r.put(EventContract.PAGE_URL, e.pageUrl());
    r.put(EventContract.TIMESTAMP, e.timestamp());
    return r;
  }

  /** One record in the Confluent wire format, written with its own schema registered as {@code schemaId}. */
  public static byte[] toWireFormat(int schemaId, GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    out.write(WIRE_MAGIC);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    try {
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Validates a decoded Avro record with the contract's rules. */
  public static ParseResult fromRecord(GenericRecord r, long arrivalTimestamp) {
    return EventValidator.validate(
        str(r, EventContract.EVENT_ID),
        str(r, EventContract.USER_ID),
        str(r, EventContract.PAGE_URL),
        r.getSchema().getField(EventContract.TIMESTAMP) != null && r.get(EventContract.TIMESTAMP) instanceof Long l ? l : null,
        arrivalTimestamp);
  }

  /**
   * A wire-format record decoded with its writer schema, before the contract's field rules.
   *
   * @param schemaId the id in the header, null when the record is too short to hold one
   * @param record the contract fields plus {@code extraFields}; null when {@code failure} is set
   * @param extraFields fields of the writer schema the reader schema does not have
   * @param failure why the record could not be decoded, else null
   */
  public record Decoded(Integer schemaId, GenericRecord record, List<String> extraFields, ParseResult.Invalid failure) {
    /** The contract's verdict: the decoding failure, else the field rules applied to the record. */
    public ParseResult verdict(long arrivalTimestamp) {
      if (failure != null) {
        return failure;
      }
      ParseResult r = fromRecord(record, arrivalTimestamp);
      return r instanceof ParseResult.Valid v
          ? new ParseResult.Valid(v.event(), schemaId)
          : withId((ParseResult.Invalid) r);
    }

    private ParseResult.Invalid withId(ParseResult.Invalid inv) {
      return new ParseResult.Invalid(inv.reason(), inv.detail() + " (Avro, schema id " + schemaId + ")", schemaId);
    }
  }

  /**
   * Decodes one wire-format record with the writer schema its id names ({@code schemas} may be
   * null when no registry is configured: every id is then unknown). Blocks while the registry
   * cannot answer (see {@link WriterSchemas#resolve}); never throws on bad input.
   */
  public static Decoded decodeRecord(byte[] bytes, WriterSchemas schemas) {
    if (bytes.length < WIRE_HEADER_BYTES) {
      return failed(null, InvalidReason.UNDECODABLE_AVRO, "record has " + bytes.length
          + " bytes: too short for the Confluent wire format (magic byte 0, 4-byte schema id, Avro)");
    }
    int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
    if (schemas == null) {
      return failed(id, InvalidReason.UNKNOWN_SCHEMA,
          "schema id " + id + ": no schema registry is configured (tidemark.schema-registry.url)");
    }
    WriterSchemas.Resolved resolved = schemas.resolve(id);
    if (resolved instanceof WriterSchemas.Resolved.Unknown) {
      return failed(id, InvalidReason.UNKNOWN_SCHEMA, "schema id " + id + " is not in the schema registry");
    }
    if (resolved instanceof WriterSchemas.Resolved.Incompatible inc) {
      return failed(id, InvalidReason.INCOMPATIBLE_SCHEMA, inc.detail());
    }
    WriterSchemas.Resolved.Known known = (WriterSchemas.Resolved.Known) resolved;
    try {
      BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, WIRE_HEADER_BYTES, bytes.length - WIRE_HEADER_BYTES, null);
      GenericRecord record = known.reader().read(null, dec);
      if (!dec.isEnd()) {
        return failed(id, InvalidReason.UNDECODABLE_AVRO,
            "schema id " + id + ": bytes left over after the record (not written with this schema)");
      }
      return new Decoded(id, record, known.extraFields(), null);
    } catch (IOException | RuntimeException e) {
      return failed(id, InvalidReason.UNDECODABLE_AVRO, "bytes do not decode with schema id " + id + ": "
          + (e instanceof java.io.EOFException ? "record ends early (truncated)" : e.getClass().getSimpleName() + " " + e.getMessage()));
    }
  }

  private static Decoded failed(Integer id, InvalidReason reason, String detail) {
    return new Decoded(id, null, List.of(), new ParseResult.Invalid(reason, detail, id));
  }

  private static String str(GenericRecord r, String field) {
    if (r.getSchema().getField(field) == null) {
      return null;
    }
    Object o = r.get(field);
    return o instanceof CharSequence cs ? cs.toString() : null;
  }
}
