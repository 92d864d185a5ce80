package io.tidemark.core.event;

import java.util.Objects;

/**
 * One valid page view: the seed format {@code {"event_id", "user_id", "page_url", "timestamp"}}
 * after {@link PageViewParser} has accepted it.
 *
 * <p>Only {@link PageViewParser} creates instances from untrusted bytes, so every instance a layer
 * sees has passed the contract's rules. A record (not a POJO) so that Flink's and Spark's
 * serializers and {@code equals} treat two copies of the same event as equal.
 *
 * @param eventId unique id of the view; duplicates (redeliveries) share it
 * @param userId the viewer; also the Kafka record key
 * @param pageUrl the page viewed
 * @param timestamp event time in epoch milliseconds, UTC
 */
public record PageViewEvent(String eventId, String userId, String pageUrl, long timestamp) {
  public PageViewEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(pageUrl, "pageUrl");
  }
}
