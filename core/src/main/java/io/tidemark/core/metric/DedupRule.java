package io.tidemark.core.metric;

import io.tidemark.core.event.PageViewEvent;
import java.time.Duration;

/**
 * How duplicates are recognised: two valid records are the same view when their {@code event_id}
 * is equal; the first one read (lowest Kafka offset of the user's partition, since the key is
 * user_id) counts and later ones are ignored, whatever their content.
 *
 * <p>The speed layer can only remember event_ids for a bounded time; {@link #retentionFor}
 * gives the horizon that makes it agree with the batch layer for every event that is not too late
 * anyway.
 */
public final class DedupRule {
  private DedupRule() {}

  /** The identity of an event for deduplication. */
  public static String dedupKey(PageViewEvent event) {
    return event.eventId();
  }

  /**
   * How long the speed layer must remember an event_id: longer than the time a window can still
   * change (out-of-orderness + allowed lateness + one window), with a margin of one window, so a
   * redelivery that could still change a count is always recognised.
   */
  public static Duration retentionFor(Duration outOfOrderness, Duration allowedLateness) {
    return outOfOrderness.plus(allowedLateness).plus(Windows.SIZE).plus(Windows.SIZE);
  }
}
