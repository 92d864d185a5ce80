package io.tidemark.speed.count;

/**
 * Events of one page and window counted by one per-user subtask since its last flush: what the
 * per-page count receives instead of every event.
 *
 * @param page the page_url
 * @param windowStart start of the 1-minute window, epoch ms
 * @param delta number of counted (deduplicated, not too late) events
 * @param latestEventTime newest event time among them (for freshness)
 */
public record PageDelta(String page, long windowStart, long delta, long latestEventTime) {}
