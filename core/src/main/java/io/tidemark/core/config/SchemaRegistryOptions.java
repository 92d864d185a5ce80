package io.tidemark.core.config;

import java.time.Duration;
import java.util.List;

/**
 * Where the schema registry is (any registry speaking the Confluent Schema Registry REST API:
 * Confluent, Karapace, Redpanda, Apicurio's {@code /apis/ccompat/v7}) and how its subject is
 * governed. Declared in {@code core} because every layer that decodes Avro events (speed, lake,
 * batch) and the commands that register schemas read the same keys.
 */
public final class SchemaRegistryOptions {
  private SchemaRegistryOptions() {}

  public static final ConfigOption<String> URL =
      ConfigOption.stringKey("tidemark.schema-registry.url")
          .description(
              "Base URL of a registry with the Confluent Schema Registry API (e.g. http://registry:8081,"
                  + " or Apicurio's .../apis/ccompat/v7); unset means the local stack's registry.");

  public static final ConfigOption<String> SUBJECT =
      ConfigOption.stringKey("tidemark.schema-registry.subject")
          .defaultValue("pageview_events-value")
          .description("Subject of the events topic's value schema (TopicNameStrategy: <topic>-value).");

  public static final ConfigOption<String> COMPATIBILITY =
      ConfigOption.stringKey("tidemark.schema-registry.compatibility")
          .defaultValue("BACKWARD")
          .description(
              "Compatibility level migrate sets on the subject: BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
                  + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.");

  public static final ConfigOption<Duration> REQUEST_TIMEOUT =
      ConfigOption.durationKey("tidemark.schema-registry.request-timeout")
          .defaultValue(Duration.ofSeconds(10))
          .description("Timeout of one registry request; a lookup that fails is retried, never dead-lettered.");

  public static final ConfigOption<Duration> MAX_BACKOFF =
      ConfigOption.durationKey("tidemark.schema-registry.max-backoff")
          .defaultValue(Duration.ofSeconds(10))
          .description("Longest wait between retries while the registry is unreachable (backpressure, not data loss).");

  public static List<ConfigOption<?>> all() {
    return List.of(URL, SUBJECT, COMPATIBILITY, REQUEST_TIMEOUT, MAX_BACKOFF);
  }
}
