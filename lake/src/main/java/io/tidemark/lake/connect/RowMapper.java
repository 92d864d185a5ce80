package io.tidemark.lake.connect;

import static io.tidemark.lake.table.PageViewTable.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.lake.table.PageViewTable;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Maps one raw record to the Connect row of {@link PageViewTable}. Package-private logic of
 * {@link PageViewRecordTransform}, kept apart so it is tested without Connect records.
 *
 * <p>The verdict (valid, reason) is always {@link PageViewParser}'s. For invalid records the
 * fields are read leniently (whatever has the right JSON type), because the contract's parser
 * stops at the first broken rule. Not thread-safe (schema cache); Connect uses one per task.
 */
final class RowMapper {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EXTRA_NAME = Pattern.compile(PageViewTable.EXTRA_FIELD_PATTERN);
  private static final int MAX_EXTRA_FIELDS = 32;
  private static final int MAX_CACHED_SCHEMAS = 256;
  private static final Set<String> RESERVED =
      Set.of(EVENT_ID, USER_ID, PAGE_URL, TIMESTAMP, EVENT_TIME, VALID, INVALID_REASON,
          INVALID_DETAIL, RAW_PAYLOAD, KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET, KAFKA_TIMESTAMP,
          INGEST_TIME, SOURCE_FILE, SOURCE_HASH, SOURCE_LINE);

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
    ParseResult result = PageViewParser.parse(bytes, kafkaTimestamp == null ? -1L : kafkaTimestamp);
    String eventId = null;
    String userId = null;
    String pageUrl = null;
    Long timestamp = null;
    Map<String, String> extras = extraFields(bytes);
    if (result instanceof ParseResult.Valid v) {
      eventId = v.event().eventId();
      userId = v.event().userId();
      pageUrl = v.event().pageUrl();
      timestamp = v.event().timestamp();
    } else {
      JsonNode node = lenientTree(bytes);
      if (node != null) {
        eventId = text(node, EventContract.EVENT_ID);
        userId = text(node, EventContract.USER_ID);
        pageUrl = text(node, EventContract.PAGE_URL);
        JsonNode ts = node.get(EventContract.TIMESTAMP);
        if (ts != null && ts.isIntegralNumber() && ts.canConvertToLong()) {
          timestamp = ts.longValue();
        }
      }
    }
    Schema schema = schemaFor(extras.keySet());
    Struct s = new Struct(schema);
    s.put(EVENT_ID, eventId);
    s.put(USER_ID, userId);
    s.put(PAGE_URL, pageUrl);
    s.put(TIMESTAMP, timestamp);
    if (timestamp != null && timestamp > 0 && timestamp <= MAX_EVENT_TIME_MS) {
      s.put(EVENT_TIME, new Date(timestamp));
    }
    s.put(VALID, result.isValid());
    if (result instanceof ParseResult.Invalid inv) {
      s.put(INVALID_REASON, inv.reason().code());
      s.put(INVALID_DETAIL, inv.detail());
      s.put(RAW_PAYLOAD, bytes == null ? new byte[0] : bytes);
    }
    s.put(KAFKA_TOPIC, topic);
    s.put(KAFKA_PARTITION, partition);
    s.put(KAFKA_OFFSET, offset < 0 ? null : offset);
    if (kafkaTimestamp != null && kafkaTimestamp >= 0) {
      s.put(KAFKA_TIMESTAMP, new Date(kafkaTimestamp));
    }
    s.put(INGEST_TIME, new Date(ingestMs));
    extras.forEach(s::put);
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

  /**
   * Unknown top-level fields of a JSON object, as text (JSON for non-strings), sorted by name.
   * Always strings: a producer sending a field once as a number and once as a string must not
   * stop the archive on a column type conflict.
   */
  private static Map<String, String> extraFields(byte[] bytes) {
    JsonNode node = lenientTree(bytes);
    if (node == null || node.size() <= 4) {
      return Map.of();
    }
    Map<String, String> extras = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext() && extras.size() < MAX_EXTRA_FIELDS) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      if (RESERVED.contains(name) || !EXTRA_NAME.matcher(name).matches() || f.getValue().isNull()) {
        continue;
      }
      extras.put(name, f.getValue().isTextual() ? f.getValue().textValue() : f.getValue().toString());
    }
    return extras;
  }

  private static JsonNode lenientTree(byte[] bytes) {
    if (bytes == null || bytes.length == 0 || bytes.length > EventContract.MAX_RECORD_BYTES) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      return n != null && n.isObject() ? n : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }
}
