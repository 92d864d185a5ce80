package io.tidemark.batch.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.event.WriterSchemas;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Rows of the lake's raw events table ({@code lake.pageview_events}) as the lake's archive writes
 * them, for loading the lake without Kafka Connect: tests, and {@code bench batch}, which loads a
 * day of generated events. The layout is the lake module's {@code PageViewTable} (same columns,
 * types and {@code days(event_time)} partitioning); the batch layer does not depend on the lake
 * module, whose Kafka Connect classpath must stay off Spark's.
 */
public final class LakeEventRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LakeEventRows() {}

  /** Creates the raw events table when missing. Idempotent. */
  public static void createTable(SparkSession spark, String table) {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + table.substring(0, table.lastIndexOf('.')));
    spark.sql("CREATE TABLE IF NOT EXISTS " + table + " (event_id STRING, user_id STRING, page_url STRING,"
        + " timestamp BIGINT, event_time TIMESTAMP, valid BOOLEAN NOT NULL, invalid_reason STRING,"
        + " invalid_detail STRING, raw_payload BINARY, kafka_topic STRING, kafka_partition INT,"
        + " kafka_offset BIGINT, kafka_timestamp TIMESTAMP, ingest_time TIMESTAMP NOT NULL,"
        + " source_file STRING, source_hash STRING, source_line BIGINT, schema_id INT) USING iceberg"
        + " PARTITIONED BY (days(event_time)) TBLPROPERTIES ('format-version'='2')");
  }

  /**
   * One record as archived: parsed with core's contract at its arrival time; invalid records keep
   * their original bytes and whatever fields could be read.
   *
   * @param topic Kafka topic, or {@code null} for a line of an imported file
   * @param arrival Kafka timestamp (ms), ignored for imported lines
   * @param file imported file name, or {@code null} for a Kafka record
   * @param ingestMs when the archive wrote the row ({@code ingest_time})
   */
  public static Row row(byte[] value, String topic, Integer partition, long offset, long arrival, String file,
      long line, long ingestMs) {
    return row(value, topic, partition, offset, arrival, file, line, ingestMs, null);
  }

  /**
   * As above, for a topic that also carries Avro records (Confluent wire format): those are decoded
   * with {@code schemas} as the archive decodes them, keep their original bytes and schema id, and
   * their contract fields fill the columns also when they break a field rule.
   */
  public static Row row(byte[] value, String topic, Integer partition, long offset, long arrival, String file,
      long line, long ingestMs, WriterSchemas schemas) {
    ParseResult p;
    String id = null;
    String user = null;
    String page = null;
    Long ts = null;
    Integer schemaId = null;
    boolean avro = value != null && value.length <= EventContract.MAX_RECORD_BYTES && PageViewAvro.isWireFormat(value);
    if (avro) {
      PageViewAvro.Decoded d = PageViewAvro.decodeRecord(value, schemas);
      p = d.verdict(arrival);
      schemaId = d.schemaId();
      if (d.record() != null) {
        id = text(d.record().get("event_id"));
        user = text(d.record().get("user_id"));
        page = text(d.record().get("page_url"));
        ts = d.record().get("timestamp") instanceof Long l ? l : null;
      }
    } else {
      p = PageViewParser.parse(value, arrival);
    }
    if (avro) {
      // fields read above
    } else if (p instanceof ParseResult.Valid v) {
      id = v.event().eventId();
      user = v.event().userId();
      page = v.event().pageUrl();
      ts = v.event().timestamp();
    } else {
      try {
        JsonNode n = JSON.readTree(value);
        if (n != null && n.isObject()) {
          id = n.path("event_id").isTextual() ? n.get("event_id").textValue() : null;
          user = n.path("user_id").isTextual() ? n.get("user_id").textValue() : null;
          page = n.path("page_url").isTextual() ? n.get("page_url").textValue() : null;
          ts = n.path("timestamp").isIntegralNumber() ? n.get("timestamp").longValue() : null;
        }
      } catch (Exception e) {
        // not JSON: no fields
      }
    }
    Timestamp eventTime = ts != null && ts > 0 && ts <= 253_402_300_799_999L ? new Timestamp(ts) : null;
    ParseResult.Invalid inv = p instanceof ParseResult.Invalid i ? i : null;
    return RowFactory.create(id, user, page, ts, eventTime, inv == null,
        inv == null ? null : inv.reason().code(), inv == null ? null : inv.detail(), inv == null && !avro ? null : value,
        topic, partition, topic == null ? null : offset, topic == null ? null : new Timestamp(arrival),
        new Timestamp(ingestMs), file, file == null ? null : "sha256-" + file,
        file == null ? null : line, schemaId);
  }

  private static String text(Object o) {
    return o instanceof CharSequence cs ? cs.toString() : null;
  }
}
