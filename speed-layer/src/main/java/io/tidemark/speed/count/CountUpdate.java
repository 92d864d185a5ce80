package io.tidemark.speed.count;

/**
 * The new count of one window cell, emitted by a count operator every time the cell changes.
 *
 * @param key user_id or page_url, depending on the metric of the stream
 * @param windowStart start of the 1-minute window, epoch ms
 * @param count the number of distinct valid events counted in the cell so far
 * @param version the ClickHouse version of this value ({@link Versions}): higher wins
 * @param latestEventTime event time of the event that caused this update (for freshness)
 */
public record CountUpdate(String key, long windowStart, long count, long version, long latestEventTime) {}
