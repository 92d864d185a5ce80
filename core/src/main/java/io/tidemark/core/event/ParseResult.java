package io.tidemark.core.event;

/**
 * The outcome of applying the event contract to one record: either a {@link Valid} event or an
 * {@link Invalid} record with its reason. Never an exception: bad input is data, not an error.
 */
public sealed interface ParseResult permits ParseResult.Valid, ParseResult.Invalid {

  boolean isValid();

  /** The record met every rule. */
  record Valid(PageViewEvent event) implements ParseResult {
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
   */
  record Invalid(InvalidReason reason, String detail) implements ParseResult {
    @Override
    public boolean isValid() {
      return false;
    }

    /** {@code "<code>: <detail>"}, the form used in dead-letter headers and logs. */
    public String describe() {
      return reason.code() + ": " + detail;
    }
  }
}
