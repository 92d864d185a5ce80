package io.tidemark.core.event;

import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.core.registry.SchemaRegistryException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * How a layer reaches the schema registry for the writer schemas of Avro records: the resolved
 * {@code tidemark.schema-registry.*} values in a serializable form, so a Flink source or a Kafka
 * Connect transform carries them to where it decodes and {@link #open}s its own {@link
 * WriterSchemas} there (one cache per decoding task).
 *
 * @param url the registry's Confluent-API base URL, or null when none is configured (every Avro
 *     record is then {@code unknown-schema}, with a detail naming the key)
 * @param requestTimeout timeout of one lookup
 * @param maxBackoff longest wait between lookups while the registry cannot answer
 */
public record RegistrySettings(String url, Duration requestTimeout, Duration maxBackoff) implements Serializable {

  /** The settings of a resolved configuration. */
  public static RegistrySettings fromConfig(TidemarkConfig cfg) {
    String url = cfg.get(SchemaRegistryOptions.URL);
    return new RegistrySettings(url == null || url.isBlank() ? null : url,
        cfg.get(SchemaRegistryOptions.REQUEST_TIMEOUT), cfg.get(SchemaRegistryOptions.MAX_BACKOFF));
  }

  /** The writer schemas of this registry, or null when no registry is configured. */
  public WriterSchemas open(WriterSchemas.Listener listener) {
    if (url == null) {
      return null;
    }
    SchemaRegistryClient client = SchemaRegistryClient.builder().url(url).requestTimeout(requestTimeout).build();
    return WriterSchemas.builder().source(source(client)).maxBackoff(maxBackoff).listener(listener).build();
  }

  /**
   * Core's registry client as a {@link WriterSchemaSource}: a 404 is "no such id"; every other
   * failure (unreachable, timeout, 5xx, and also answers such as 401 that a fix of the registry's
   * setup cures) is an outage, waited out, never a verdict on a record.
   */
  static WriterSchemaSource source(SchemaRegistryClient client) {
    return id -> {
      try {
        return Optional.of(client.schemaById(id));
      } catch (SchemaRegistryException.NotFound e) {
        return Optional.empty();
      } catch (SchemaRegistryException e) {
        throw new SchemaRegistryUnavailableException(e.getMessage(), e);
      }
    };
  }
}
