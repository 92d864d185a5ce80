package io.tidemark.core.event;

/**
 * Why a record broke the event contract. The code travels with the record to the dead-letter
 * topic (header {@code tidemark.reason}) and into metrics and drift reports, so it is stable:
 * never rename a constant, only add.
 */
public enum InvalidReason {
  /**
   * The bytes are not a JSON object (not UTF-8, not JSON, or JSON of another shape) and not an
   * Avro record in the Confluent wire format either.
   */
  NOT_JSON("not-json"),
  /** The record is larger than {@link EventContract#MAX_RECORD_BYTES}. */
  RECORD_TOO_LARGE("record-too-large"),
  /** A required field is absent or JSON null. */
  MISSING_FIELD("missing-field"),
  /** A field has the wrong JSON type (a number where a string is expected, a fraction as timestamp...). */
  WRONG_TYPE("wrong-type"),
  /** A string field is empty or only whitespace. */
  EMPTY_FIELD("empty-field"),
  /** A string field is longer than its bound in {@link EventContract}. */
  FIELD_TOO_LONG("field-too-long"),
  /** The timestamp is zero or negative. */
  TIMESTAMP_NOT_POSITIVE("timestamp-not-positive"),
  /** The timestamp is further ahead of the record's arrival time than {@link EventContract#MAX_FUTURE_SKEW}. */
  TIMESTAMP_IN_FUTURE("timestamp-in-future"),
  /**
   * An Avro record (Confluent wire format) whose schema id the registry answered it does not know.
   * Not used when the registry could not be reached: then the layer waits and retries.
   */
  UNKNOWN_SCHEMA("unknown-schema"),
  /** An Avro record whose bytes do not decode with the writer schema its id names (truncated, corrupt). */
  UNDECODABLE_AVRO("undecodable-avro"),
  /**
   * An Avro record whose writer schema cannot be read as Tidemark's reader schema ({@code
   * pageview.avsc}): a contract field missing without a default, or of a type that does not
   * resolve (e.g. {@code timestamp} as a string).
   */
  INCOMPATIBLE_SCHEMA("incompatible-schema");

  private final String code;

  InvalidReason(String code) {
    this.code = code;
  }

  /** The stable, kebab-case code written to dead-letter headers and reports. */
  public String code() {
    return code;
  }
}
