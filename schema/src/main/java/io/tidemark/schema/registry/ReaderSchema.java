package io.tidemark.schema.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;

/**
 * One version of Tidemark's reader schema, the Avro schema {@code migrate} registers under the
 * events topic's subject.
 *
 * <p>Versioned like the ClickHouse migrations: a version, once released, is never edited (its
 * schema text is a resource of its own); evolving the contract means adding a version, which the
 * subject's compatibility level then has to accept. The newest version is always the schema
 * {@code core} reads with ({@link io.tidemark.core.event.PageViewAvro#SCHEMA}); a test holds the
 * two together.
 *
 * @param version positive, unique, registered in increasing order
 * @param name short description for the migration report
 * @param schema the Avro schema as JSON text, registered exactly as written
 */
public record ReaderSchema(int version, String name, String schema) {
  public ReaderSchema {
    if (version <= 0) {
      throw new IllegalArgumentException("Reader schema version must be positive, got " + version);
    }
    new Schema.Parser().parse(schema); // fails fast on a broken resource
  }

  /** Tidemark's reader schemas, oldest first. */
  public static List<ReaderSchema> all() {
    return List.of(
        new ReaderSchema(1, "PageView: event_id, user_id, page_url, timestamp (epoch ms)", resource("pageview-reader-v1.avsc")));
  }

  /** The newest reader schema. */
  public static ReaderSchema latest() {
    List<ReaderSchema> all = all();
    return all.get(all.size() - 1);
  }

  /** The schema, parsed. */
  public Schema parsed() {
    return new Schema.Parser().parse(schema);
  }

  private static String resource(String name) {
    try (InputStream in = ReaderSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
