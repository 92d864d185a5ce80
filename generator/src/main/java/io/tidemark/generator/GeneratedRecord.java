package io.tidemark.generator;

import io.tidemark.core.event.InvalidReason;
import io.tidemark.core.event.PageViewEvent;

/**
 * One record the generator sends, with what it is meant to be.
 *
 * @param kind what the record tests
 * @param key the Kafka key (the user id, also for invalid records)
 * @param value the Kafka value, exactly as sent
 * @param event the event for every kind but {@link Kind#INVALID}
 * @param expectedReason the contract rule an {@link Kind#INVALID} record breaks
 */
public record GeneratedRecord(
    Kind kind, String key, byte[] value, PageViewEvent event, InvalidReason expectedReason) {

  /** What a record is meant to exercise. */
  public enum Kind {
    /** A new valid event at most out-of-order-ms behind the stream. */
    ON_TIME,
    /** A byte-for-byte redelivery of an earlier on-time event. */
    DUPLICATE,
    /** A new valid event far behind the stream: later than any allowed lateness. */
    TOO_LATE,
    /** A record breaking the event contract. */
    INVALID
  }
}
