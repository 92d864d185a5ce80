package io.tidemark.core.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The event contract as an Avro record ({@code pageview.avsc}), for producers that use Avro and
 * a schema registry instead of JSON. Decoded records go through the same {@link EventValidator}
 * rules as JSON ones.
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

  public static GenericRecord toRecord(PageViewEvent e) {
    GenericRecord r = new GenericData.Record(SCHEMA);
    r.put(EventContract.EVENT_ID, e.eventId());
    r.put(EventContract.USER_ID, e.userId());
    r.put(EventContract.PAGE_URL, e.pageUrl());
    r.put(EventContract.TIMESTAMP, e.timestamp());
    return r;
  }

  /** Validates a decoded Avro record with the contract's rules. */
  public static ParseResult fromRecord(GenericRecord r, long arrivalTimestamp) {
    Object ts = r.get(EventContract.TIMESTAMP);
    return EventValidator.validate(
        str(r.get(EventContract.EVENT_ID)),
        str(r.get(EventContract.USER_ID)),
        str(r.get(EventContract.PAGE_URL)),
        ts instanceof Long l ? l : null,
        arrivalTimestamp);
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
