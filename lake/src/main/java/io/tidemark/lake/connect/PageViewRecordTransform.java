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
  /** Transform setting: the registry's Confluent-API base URL; absent means JSON only. */
  public static final String REGISTRY_URL = "schema-registry.url";
  /** Transform setting: timeout of one registry lookup, in ms. */
  public static final String REGISTRY_TIMEOUT_MS = "schema-registry.request-timeout-ms";
  /** Transform setting: longest wait between lookups while the registry cannot answer, in ms. */
  public static final String REGISTRY_MAX_BACKOFF_MS = "schema-registry.max-backoff-ms";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PageViewRecordTransform.class);

  private RowMapper mapper = new RowMapper();

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
    return new ConfigDef()
        .define(REGISTRY_URL, ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH,
            "Schema registry (Confluent API) for the writer schemas of Avro records")
        .define(REGISTRY_TIMEOUT_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Importance.LOW, "Timeout of one lookup")
        .define(REGISTRY_MAX_BACKOFF_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Importance.LOW,
            "Longest wait between lookups while the registry cannot answer");
  }

  @Override
  public void close() {}

  /**
   * Reads the registry settings. While the registry cannot answer a lookup, {@link #apply} waits
   * and retries (the task stops consuming: backpressure, logged), so no Avro record is archived as
   * invalid because of an outage.
   */
  @Override
  public void configure(Map<String, ?> configs) {
    org.apache.kafka.common.config.AbstractConfig c = new org.apache.kafka.common.config.AbstractConfig(config(), configs);
    String url = c.getString(REGISTRY_URL);
    if (url == null || url.isBlank()) {
      mapper = new RowMapper();
      return;
    }
    io.tidemark.core.event.RegistrySettings settings = new io.tidemark.core.event.RegistrySettings(url,
        java.time.Duration.ofMillis(c.getLong(REGISTRY_TIMEOUT_MS)), java.time.Duration.ofMillis(c.getLong(REGISTRY_MAX_BACKOFF_MS)));
    mapper = new RowMapper(settings.open(new io.tidemark.core.event.WriterSchemas.Listener() {
      @Override
      public void waiting(int id, int attempt, java.time.Duration backoff, String cause) {
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("Archive waits for the schema registry ({} lookups of schema id {} failed, next in {} ms): {}",
              attempt, id, backoff.toMillis(), cause);
        }
      }

      @Override
      public void recovered(int id, java.time.Duration waited) {
        LOG.info("Schema registry answered for schema id {} after {} ms of waiting", id, waited.toMillis());
      }
    }));
  }
}
