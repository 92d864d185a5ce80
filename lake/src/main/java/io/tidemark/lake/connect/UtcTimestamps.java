package io.tidemark.lake.connect;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Epoch milliseconds as the {@link OffsetDateTime} that Iceberg's generic writer stores in a
 * {@code timestamptz} column, reusing the previous instance while consecutive rows carry the same
 * millisecond (rows of one poll share their ingest time, records of one producer batch their Kafka
 * timestamp).
 *
 * <p>Why it exists: handed a {@code java.util.Date} or a number, the sink's {@code RecordConverter}
 * builds the value with {@code OffsetDateTime.plus(micros)} for every row and column, which was the
 * single most expensive step per record in the worker's profile (13% of its samples); an {@code
 * OffsetDateTime} passes through unchanged. Not thread-safe: one per column and task.
 */
final class UtcTimestamps {
  private long lastMillis = Long.MIN_VALUE;
  private OffsetDateTime last;

  OffsetDateTime of(long epochMillis) {
    if (epochMillis != lastMillis || last == null) {
      // LocalDateTime.ofEpochSecond: no ZoneRules lookup (ZoneOffset.getRules() allocates on Java 17)
      LocalDateTime utc = LocalDateTime.ofEpochSecond(
          Math.floorDiv(epochMillis, 1000L), (int) Math.floorMod(epochMillis, 1000L) * 1_000_000, ZoneOffset.UTC);
      last = OffsetDateTime.of(utc, ZoneOffset.UTC);
      lastMillis = epochMillis;
    }
    return last;
  }
}
