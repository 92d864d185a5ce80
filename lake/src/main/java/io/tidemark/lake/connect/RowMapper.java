package io.tidemark.lake.connect;

import static io.tidemark.lake.table.PageViewTable.*;

import io.tidemark.core.event.WriterSchemas;
import io.tidemark.lake.table.EventFields;
import java.util.Map;

/**
 * Maps one raw record to the row of {@link io.tidemark.lake.table.PageViewTable} that {@link
 * PageViewRecordTransform} hands to the sink. The logic of the transform, kept apart so it is
 * tested without Connect records, and public so the benchmark's writer floor builds exactly the
 * rows the sink receives (it needs no Connect classes).
 *
 * <p>The row is a schemaless map from column name to value, not a Connect {@code Struct}: Iceberg's
 * sink converts both, but a Struct validates every value on {@code put} and accepts only {@code
 * java.util.Date} for timestamps, which the sink then converts expensively for every row (see
 * {@link UtcTimestamps}); a map carries the {@code OffsetDateTime} the writer stores. Null columns
 * are left out (see {@link RowValues}). An unknown event field is a string entry, and the sink adds a string column for a
 * name the table does not have yet (schema evolution works the same for maps). What the row holds
 * comes from {@link EventFields}, shared with {@code lake import}. Not thread-safe (timestamp
 * caches); Connect uses one transform instance per task.
 */
public final class RowMapper {
  /** Columns a Kafka row can fill, before unknown event fields. */
  private static final int BASE_COLUMNS = 15;

  private final UtcTimestamps eventTimes = new UtcTimestamps();
  private final UtcTimestamps kafkaTimes = new UtcTimestamps();
  private final UtcTimestamps ingestTimes = new UtcTimestamps();
  private final WriterSchemas schemas;

  /** A mapper for JSON only (Avro records are {@code unknown-schema}). */
  public RowMapper() {
    this(null);
  }

  /** @param schemas writer schemas of Avro records, null when no registry is configured */
  public RowMapper(WriterSchemas schemas) {
    this.schemas = schemas;
  }

  /**
   * @param offset the Kafka offset, or negative when there is none
   * @param kafkaTimestamp the Kafka record timestamp, or null
   * @param ingestMs when the archiver processes the record (epoch ms)
   */
  public Map<String, Object> map(byte[] bytes, String topic, Integer partition, long offset, Long kafkaTimestamp, long ingestMs) {
    EventFields e = EventFields.read(bytes, kafkaTimestamp == null ? -1L : kafkaTimestamp, schemas);
    RowValues row = new RowValues(BASE_COLUMNS + e.extras().size());
    row.add(EVENT_ID, e.eventId());
    row.add(USER_ID, e.userId());
    row.add(PAGE_URL, e.pageUrl());
    row.add(TIMESTAMP, e.timestamp());
    if (e.eventTimeMs() != null) {
      row.add(EVENT_TIME, eventTimes.of(e.eventTimeMs()));
    }
    row.add(VALID, e.valid());
    row.add(INVALID_REASON, e.invalidReason());
    row.add(INVALID_DETAIL, e.invalidDetail());
    row.add(RAW_PAYLOAD, e.raw());
    row.add(KAFKA_TOPIC, topic);
    row.add(KAFKA_PARTITION, partition);
    if (offset >= 0) {
      row.add(KAFKA_OFFSET, offset);
    }
    if (kafkaTimestamp != null && kafkaTimestamp >= 0) {
      row.add(KAFKA_TIMESTAMP, kafkaTimes.of(kafkaTimestamp));
    }
    row.add(INGEST_TIME, ingestTimes.of(ingestMs));
    row.add(SCHEMA_ID, e.schemaId());
    e.extras().forEach(row::add);
    return row;
  }
}
