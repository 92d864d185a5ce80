package io.tidemark.lake.connect;

import static io.tidemark.lake.table.PageViewTable.*;

import io.tidemark.lake.table.EventFields;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps one raw record to the row of {@link io.tidemark.lake.table.PageViewTable} that {@link
 * PageViewRecordTransform} hands to the sink. Package-private logic of the transform, kept apart so
 * it is tested without Connect records.
 *
 * <p>The row is a schemaless map from column name to value, not a Connect {@code Struct}: Iceberg's
 * sink converts both, but a Struct validates every value on {@code put} and accepts only {@code
 * java.util.Date} for timestamps, which the sink then converts expensively for every row (see
 * {@link UtcTimestamps}); a map carries the {@code OffsetDateTime} the writer stores. Null columns
 * are left out. An unknown event field is a string entry, and the sink adds a string column for a
 * name the table does not have yet (schema evolution works the same for maps). What the row holds
 * comes from {@link EventFields}, shared with {@code lake import}. Not thread-safe (timestamp
 * caches); Connect uses one transform instance per task.
 */
final class RowMapper {
  private final UtcTimestamps eventTimes = new UtcTimestamps();
  private final UtcTimestamps kafkaTimes = new UtcTimestamps();
  private final UtcTimestamps ingestTimes = new UtcTimestamps();

  Map<String, Object> map(byte[] bytes, String topic, Integer partition, long offset, Long kafkaTimestamp, long ingestMs) {
    EventFields e = EventFields.read(bytes, kafkaTimestamp == null ? -1L : kafkaTimestamp);
    Map<String, Object> row = new HashMap<>(32 + 2 * e.extras().size());
    putIfPresent(row, EVENT_ID, e.eventId());
    putIfPresent(row, USER_ID, e.userId());
    putIfPresent(row, PAGE_URL, e.pageUrl());
    putIfPresent(row, TIMESTAMP, e.timestamp());
    if (e.eventTimeMs() != null) {
      row.put(EVENT_TIME, eventTimes.of(e.eventTimeMs()));
    }
    row.put(VALID, e.valid());
    putIfPresent(row, INVALID_REASON, e.invalidReason());
    putIfPresent(row, INVALID_DETAIL, e.invalidDetail());
    putIfPresent(row, RAW_PAYLOAD, e.raw());
    putIfPresent(row, KAFKA_TOPIC, topic);
    putIfPresent(row, KAFKA_PARTITION, partition);
    if (offset >= 0) {
      row.put(KAFKA_OFFSET, offset);
    }
    if (kafkaTimestamp != null && kafkaTimestamp >= 0) {
      row.put(KAFKA_TIMESTAMP, kafkaTimes.of(kafkaTimestamp));
    }
    row.put(INGEST_TIME, ingestTimes.of(ingestMs));
    row.putAll(e.extras());
    return row;
  }

  private static void putIfPresent(Map<String, Object> row, String column, Object value) {
    if (value != null) {
      row.put(column, value);
    }
  }
}
