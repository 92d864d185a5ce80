package io.tidemark.core.registry;

/**
 * One version of a subject as the registry holds it.
 *
 * @param subject the subject, e.g. {@code pageview_events-value}
 * @param version the subject's version number (1, 2, ...)
 * @param id the registry-wide schema id, the one the Confluent wire format carries in bytes 1-4
 * @param schema the schema text as the registry returns it
 */
public record RegisteredSchema(String subject, int version, int id, String schema) {}
