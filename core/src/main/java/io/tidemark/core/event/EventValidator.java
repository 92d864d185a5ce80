package io.tidemark.core.event;

import static io.tidemark.core.event.EventContract.EVENT_ID;
import static io.tidemark.core.event.EventContract.PAGE_URL;
import static io.tidemark.core.event.EventContract.TIMESTAMP;
import static io.tidemark.core.event.EventContract.USER_ID;

/**
 * Applies the contract's field rules to already-decoded values, whatever the wire format (JSON or
 * Avro). Rules are checked in a fixed order (event_id, user_id, page_url, then timestamp; for
 * each field: missing, empty, too long) so the same record always gets the same reason.
 */
public final class EventValidator {
  private EventValidator() {}

  /**
   * Validates decoded field values.
   *
   * @param arrivalTimestamp epoch ms at which the record reached Kafka (its record timestamp), or
   *     a value {@code <= 0} when unknown, in which case the future-skew rule is not applied
   */
  public static ParseResult validate(
      String eventId, String userId, String pageUrl, Long timestamp, long arrivalTimestamp) {
    ParseResult.Invalid bad = checkString(EVENT_ID, eventId, EventContract.MAX_EVENT_ID_LENGTH);
    if (bad == null) {
      bad = checkString(USER_ID, userId, EventContract.MAX_USER_ID_LENGTH);
    }
    if (bad == null) {
      bad = checkString(PAGE_URL, pageUrl, EventContract.MAX_PAGE_URL_LENGTH);
    }
    if (bad != null) {
      return bad;
    }
    if (timestamp == null) {
      return new ParseResult.Invalid(InvalidReason.MISSING_FIELD, TIMESTAMP + " is missing");
    }
    if (timestamp <= 0) {
      return new ParseResult.Invalid(
          InvalidReason.TIMESTAMP_NOT_POSITIVE, TIMESTAMP + " is " + timestamp + ", must be > 0");
    }
    if (arrivalTimestamp > 0
        && timestamp - arrivalTimestamp > EventContract.MAX_FUTURE_SKEW.toMillis()) {
      return new ParseResult.Invalid(
          InvalidReason.TIMESTAMP_IN_FUTURE,
          TIMESTAMP + " is " + (timestamp - arrivalTimestamp) + " ms after the record arrived (max "
              + EventContract.MAX_FUTURE_SKEW.toMillis() + " ms)");
    }
    return new ParseResult.Valid(new PageViewEvent(eventId, userId, pageUrl, timestamp));
  }

  private static ParseResult.Invalid checkString(String field, String value, int maxLength) {
    if (value == null) {
      return new ParseResult.Invalid(InvalidReason.MISSING_FIELD, field + " is missing");
    }
    if (value.isBlank()) {
      return new ParseResult.Invalid(InvalidReason.EMPTY_FIELD, field + " is empty");
    }
    if (value.length() > maxLength) {
      return new ParseResult.Invalid(
          InvalidReason.FIELD_TOO_LONG,
          field + " has " + value.length() + " characters, max " + maxLength);
    }
    return null;
  }
}
