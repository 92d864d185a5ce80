package io.tidemark.speed.source;

import io.tidemark.core.event.PageViewEvent;

/**
 * What the Kafka source emits for one record: exactly one of a valid {@link PageViewEvent} or a
 * {@link DeadLetter}. Validation happens in the source's deserializer (not a later operator) so that
 * the watermark is generated per Kafka partition from event time, which keeps windows right when
 * a restore or a backlog makes one partition run ahead of another.
 */
public record SourceRecord(PageViewEvent event, DeadLetter deadLetter) {
  public static SourceRecord valid(PageViewEvent event) {
    return new SourceRecord(event, null);
  }

  public static SourceRecord invalid(DeadLetter deadLetter) {
    return new SourceRecord(null, deadLetter);
  }

  public boolean isValid() {
    return event != null;
  }

  /** Event time for the watermark; invalid records carry none and never move it. */
  public long eventTime() {
    return event != null ? event.timestamp() : Long.MIN_VALUE;
  }
}
