package io.tidemark.core.event;

import java.time.Duration;

/**
 * The bounds of a valid event, one definition for every layer.
 *
 * <p>These are constants, not configuration: if the speed layer and the batch layer could be
 * configured with different bounds, they would disagree about which events count and every
 * reconciliation would report drift that is not real.
 */
public final class EventContract {
  private EventContract() {}

  /** JSON field names of the seed format. */
  public static final String EVENT_ID = "event_id";

  public static final String USER_ID = "user_id";
  public static final String PAGE_URL = "page_url";
  public static final String TIMESTAMP = "timestamp";

  /** Longest event_id, in characters (UUIDs and ULIDs fit with room to spare). */
  public static final int MAX_EVENT_ID_LENGTH = 128;

  /** Longest user_id, in characters. */
  public static final int MAX_USER_ID_LENGTH = 256;

  /** Longest page_url, in characters (browsers' practical URL limit). */
  public static final int MAX_PAGE_URL_LENGTH = 2048;

  /** Largest record accepted before parsing, in bytes. */
  public static final int MAX_RECORD_BYTES = 16 * 1024;

  /**
   * How far an event's timestamp may lie ahead of the time its record reached Kafka.
   *
   * <p>Measured against the Kafka record timestamp rather than the wall clock of whoever
   * validates, so that the speed layer (now) and the batch layer (tomorrow, from the lake, which
   * keeps the record timestamp) reach the same verdict.
   */
  public static final Duration MAX_FUTURE_SKEW = Duration.ofHours(1);
}
