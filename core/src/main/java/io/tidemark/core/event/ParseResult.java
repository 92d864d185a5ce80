package io.tidemark.core.event;

/**
 * The outcome of applying the event contract to one record: either a {@link Valid} event or an
 * {@link Invalid} record with its reason. Never an exception: bad input is data, not an error.
 *
 * <p>Both carry the registry schema id of an Avro record (Confluent wire format) so the lake can
 * archive it; {@code null} for a JSON record.
 */
public sealed interface ParseResult permits ParseResult.Valid, ParseResult.Invalid {

  boolean isValid();

  /** The writer schema id of an Avro record, {@code null} for JSON. */
  Integer schemaId();

  /** The record met every rule. */
  record Valid(PageViewEvent event, Integer schemaId) implements ParseResult {
    /** A valid JSON record. */
    public Valid(PageViewEvent event) {
      this(event, null);
    }

    @Override
    public boolean isValid() {
      return true;
    }
  }

  /**
   * The record broke a rule.
   *
   * @param reason the rule, as a stable code
   * @param detail a short human-readable explanation naming the field, e.g. "user_id is empty"
   * @param schemaId the writer schema id of an Avro record (also named in {@code detail}), else null
   */
  record Invalid(InvalidReason reason, String detail, Integer schemaId) implements ParseResult {
    /** An invalid JSON record (or one whose format could not be told). */
    public Invalid(InvalidReason reason, String detail) {
      this(reason, detail, null);
    }

    @Override
    public boolean isValid() {
      return false;
    }

    /** The same verdict for a record that carried the given schema id. */
    Invalid withSchemaId(Integer id) {
      return new Invalid(reason, detail, id);
    }

    /** {@code "<code>: <detail>"}, the form used in dead-letter headers and logs. */
    public String describe() {
      return reason.code() + ": " + detail;
    }
  }
}
