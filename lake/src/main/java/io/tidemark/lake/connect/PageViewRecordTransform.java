package io.tidemark.lake.connect;

import io.tidemark.lake.table.PageViewTable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Kafka Connect single message transform that turns a raw {@code pageview_events} record into a
 * row of {@code lake.pageview_events} (a schemaless map from column name to value, see {@link
 * RowMapper} for why not a Struct), using the event contract of tidemark-core, so the archive and
 * the other layers judge validity the same way.
 *
 * <p>Configure it with {@code ByteArrayConverter} (or {@code StringConverter}) as value converter:
 * it must see the original bytes, also when they are not JSON. It never throws on bad input and
 * never drops a record: an invalid record becomes a row with {@code valid=false}, its reason and
 * its original bytes. The Kafka topic, partition, offset and timestamp are taken from the record
 * (sink records carry the offset), which is what makes {@code lake verify} possible.
 *
 * <pre>{@code
 * transforms=pageview
 * transforms.pageview.type=io.tidemark.lake.connect.PageViewRecordTransform
 * }</pre>
 *
 * <p>Stateless apart from caches of the last timestamps; one instance per task, as Connect
 * creates it.
 */
public final class PageViewRecordTransform<R extends ConnectRecord<R>> implements Transformation<R> {
  private final RowMapper mapper = new RowMapper();

  @Override
  public R apply(R record) {
    byte[] bytes = valueBytes(record.value());
    long offset = record instanceof SinkRecord s ? s.kafkaOffset() : -1L;
    java.util.Map<String, Object> row =
        mapper.map(
            bytes,
            record.topic(),
            record.kafkaPartition(),
            offset,
            record.timestamp(),
            System.currentTimeMillis());
    return record.newRecord(
        record.topic(),
        record.kafkaPartition(),
        record.keySchema(),
        record.key(),
        null,
        row,
        record.timestamp());
  }

  private static byte[] valueBytes(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] b) {
      return b;
    }
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof java.nio.ByteBuffer bb) {
      byte[] b = new byte[bb.remaining()];
      bb.duplicate().get(b);
      return b;
    }
    // A converter that already parsed the value (JsonConverter): the archive needs the raw bytes.
    throw new org.apache.kafka.connect.errors.DataException(
        "PageViewRecordTransform needs the raw record value: configure value.converter="
            + "org.apache.kafka.connect.converters.ByteArrayConverter (got "
            + value.getClass().getName() + " for the table " + PageViewTable.class.getSimpleName() + ")");
  }

  @Override
  public ConfigDef config() {
    return new ConfigDef();
  }

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
