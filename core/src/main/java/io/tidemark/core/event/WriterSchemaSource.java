package io.tidemark.core.event;

import java.util.Optional;

/**
 * Where the writer schemas of Avro records come from: a schema registry's {@code GET
 * /schemas/ids/{id}} (Confluent API), or a fixed map in tests. {@link WriterSchemas} caches what
 * it answers and retries what it could not answer, so an implementation makes one request per
 * call and keeps no state.
 *
 * <p>The two outcomes that are not a schema must stay apart: "the registry answered that it has no
 * such id" is bad input (the record is dead-lettered as {@code unknown-schema}); "the registry
 * could not answer" (unreachable, timed out, 5xx) is an outage, and a valid event must never be
 * dead-lettered because of one.
 */
@FunctionalInterface
public interface WriterSchemaSource {
  /**
   * The Avro schema (JSON text) registered under {@code id}, or empty when the registry answered
   * that it has none (HTTP 404).
   *
   * @throws SchemaRegistryUnavailableException when the registry could not answer; the caller
   *     retries
   */
  Optional<String> schemaById(int id) throws SchemaRegistryUnavailableException;
}
