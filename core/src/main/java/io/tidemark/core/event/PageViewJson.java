package io.tidemark.core.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes events in the seed JSON format, the inverse of {@link PageViewParser}. Thread-safe. */
public final class PageViewJson {
  private static final JsonFactory JSON = new JsonFactory();

  private PageViewJson() {}

  public static byte[] toBytes(PageViewEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(EventContract.EVENT_ID, e.eventId());
      g.writeStringField(EventContract.USER_ID, e.userId());
      g.writeStringField(EventContract.PAGE_URL, e.pageUrl());
      g.writeNumberField(EventContract.TIMESTAMP, e.timestamp());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }
}
