package io.tidemark.core.event;

import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    return WriterSchemas.builder().source(new HttpSource(url, requestTimeout)).maxBackoff(maxBackoff).listener(listener).build();
  }

  /** {@code GET <url>/schemas/ids/<id>}: 200 is the schema, 404 unknown, anything else unavailable. */
  private static final class HttpSource implements WriterSchemaSource {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final String base;
    private final Duration timeout;
    private final HttpClient http;

    HttpSource(String url, Duration timeout) {
      this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      this.timeout = timeout;
      this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public Optional<String> schemaById(int id) throws SchemaRegistryUnavailableException {
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/schemas/ids/" + id)).timeout(timeout).GET().build();
      HttpResponse<String> res;
      try {
        res = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new SchemaRegistryUnavailableException("Schema registry at " + base + " did not answer: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryUnavailableException("Interrupted while asking the schema registry at " + base, e);
      }
      if (res.statusCode() == 404 && res.body().contains("40403")) {
        return Optional.empty(); // the Confluent API's "schema not found"; a bare 404 is a wrong URL
      }
      if (res.statusCode() != 200) {
        throw new SchemaRegistryUnavailableException(
            "Schema registry at " + base + " answered HTTP " + res.statusCode() + " for schema id " + id);
      }
      try {
        return Optional.of(JSON.readTree(res.body()).path("schema").asText());
      } catch (IOException e) {
        throw new SchemaRegistryUnavailableException("Schema registry at " + base + " sent an unreadable answer for schema id " + id, e);
      }
    }
  }
}
