package io.tidemark.lake.connect;

import static io.tidemark.lake.table.PageViewTable.*;

import io.tidemark.lake.table.EventFields;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Maps one raw record to the Connect row of {@link io.tidemark.lake.table.PageViewTable}. Package-private logic of
 * {@link PageViewRecordTransform}, kept apart so it is tested without Connect records.
 *
 * <p>What the row holds comes from {@link EventFields}, shared with {@code lake import}. Not
 * thread-safe (schema cache); Connect uses one transform instance per task.
 */
final class RowMapper {
  private static final int MAX_CACHED_SCHEMAS = 256;

  static final Schema BASE_SCHEMA = baseBuilder().build();

  private final Map<List<String>, Schema> schemas =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, Schema> eldest) {
          return size() > MAX_CACHED_SCHEMAS;
        }
      };

  record Row(Schema schema, Struct value) {}

  Row map(byte[] bytes, String topic, Integer partition, long offset, Long kafkaTimestamp, long ingestMs) {
    EventFields e = EventFields.read(bytes, kafkaTimestamp == null ? -1L : kafkaTimestamp);
    Schema schema = schemaFor(e.extras().keySet());
    Struct s = new Struct(schema);
    s.put(EVENT_ID, e.eventId());
    s.put(USER_ID, e.userId());
    s.put(PAGE_URL, e.pageUrl());
    s.put(TIMESTAMP, e.timestamp());
    if (e.eventTimeMs() != null) {
      s.put(EVENT_TIME, new Date(e.eventTimeMs()));
    }
    s.put(VALID, e.valid());
    s.put(INVALID_REASON, e.invalidReason());
    s.put(INVALID_DETAIL, e.invalidDetail());
    s.put(RAW_PAYLOAD, e.raw());
    s.put(KAFKA_TOPIC, topic);
    s.put(KAFKA_PARTITION, partition);
    s.put(KAFKA_OFFSET, offset < 0 ? null : offset);
    if (kafkaTimestamp != null && kafkaTimestamp >= 0) {
      s.put(KAFKA_TIMESTAMP, new Date(kafkaTimestamp));
    }
    s.put(INGEST_TIME, new Date(ingestMs));
    e.extras().forEach(s::put);
    return new Row(schema, s);
  }

  private static SchemaBuilder baseBuilder() {
    return SchemaBuilder.struct()
        .name("io.tidemark.lake.PageViewRow")
        .field(EVENT_ID, Schema.OPTIONAL_STRING_SCHEMA)
        .field(USER_ID, Schema.OPTIONAL_STRING_SCHEMA)
        .field(PAGE_URL, Schema.OPTIONAL_STRING_SCHEMA)
        .field(TIMESTAMP, Schema.OPTIONAL_INT64_SCHEMA)
        .field(EVENT_TIME, Timestamp.builder().optional().build())
        .field(VALID, Schema.BOOLEAN_SCHEMA)
        .field(INVALID_REASON, Schema.OPTIONAL_STRING_SCHEMA)
        .field(INVALID_DETAIL, Schema.OPTIONAL_STRING_SCHEMA)
        .field(RAW_PAYLOAD, Schema.OPTIONAL_BYTES_SCHEMA)
        .field(KAFKA_TOPIC, Schema.OPTIONAL_STRING_SCHEMA)
        .field(KAFKA_PARTITION, Schema.OPTIONAL_INT32_SCHEMA)
        .field(KAFKA_OFFSET, Schema.OPTIONAL_INT64_SCHEMA)
        .field(KAFKA_TIMESTAMP, Timestamp.builder().optional().build())
        .field(INGEST_TIME, Timestamp.SCHEMA);
  }

  private Schema schemaFor(Set<String> extraNames) {
    if (extraNames.isEmpty()) {
      return BASE_SCHEMA;
    }
    List<String> key = new ArrayList<>(extraNames);
    return schemas.computeIfAbsent(
        key,
        names -> {
          SchemaBuilder b = baseBuilder();
          names.forEach(n -> b.field(n, Schema.OPTIONAL_STRING_SCHEMA));
          return b.build();
        });
  }
}
