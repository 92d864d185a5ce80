package io.tidemark.batch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.batch.table.LakeEventRows;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratedRecord;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficPlan;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rows of {@code lake.pageview_events} as the lake's archive writes them, built from a {@link
 * TrafficPlan} without Kafka: each record gets the partition of its key (4 partitions), the next
 * offset there, and the generator's stream time as Kafka timestamp (arrival), so too-late records
 * arrive {@code lateBy} after their window. Also the plan's {@link GroundTruth}.
 *
 * <p>The table's layout is the lake module's {@code PageViewTable} (same columns, types and
 * {@code days(event_time)} partitioning); the batch layer does not depend on the lake module.
 */
public final class LakeRows {
  public static final int PARTITIONS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  public final List<Row> rows = new ArrayList<>();
  public final GroundTruth truth = new GroundTruth();
  /** Invalid records per reason per day (event-time day, else arrival day). */
  public final Map<LocalDate, Map<String, Long>> invalidByDay = new TreeMap<>();

  private final long[] offsets = new long[PARTITIONS];

  /** Creates the lake table when missing (same layout as the lake module's PageViewTable). */
  public static void createEventsTable(SparkSession spark, String table) {
    LakeEventRows.createTable(spark, table);
  }

  /** Adds every record of the plan as a Kafka row. */
  public LakeRows addKafka(GeneratorSpec spec) {
    return addKafka(spec, io.tidemark.generator.ValueEncoder.JSON, null);
  }

  /**
   * Adds every record of the plan as a Kafka row with its value in the encoder's wire format (Avro
   * records decoded with {@code schemas}, as the archive decodes them).
   */
  public LakeRows addKafka(GeneratorSpec spec, io.tidemark.generator.ValueEncoder values,
      io.tidemark.core.event.WriterSchemas schemas) {
    TrafficPlan plan = new TrafficPlan(spec, spec.startTime().toEpochMilli());
    long i = 0;
    for (GeneratedRecord r : plan) {
      byte[] value = values.encode(r, i);
      long arrival = spec.startTime().toEpochMilli() + (long) Math.floor(i++ * 1000.0 / spec.rate());
      truth.add(r);
      int partition = Math.floorMod(r.key().hashCode(), PARTITIONS);
      rows.add(row(value, "pageview_events", partition, offsets[partition]++, arrival, null, 0,
          System.currentTimeMillis(), schemas));
    }
    return this;
  }

  /** Adds every record of the plan as an imported file's lines (no Kafka coordinates). */
  public LakeRows addImported(GeneratorSpec spec, String file) {
    TrafficPlan plan = new TrafficPlan(spec, spec.startTime().toEpochMilli());
    long line = 1;
    for (GeneratedRecord r : plan) {
      truth.add(r);
      rows.add(row(r.value(), null, null, -1, -1, file, line++));
    }
    return this;
  }

  /**
   * Adds one event as line {@code line} of an imported file, imported at {@code importedAt} (epoch
   * ms): as {@code lake import} does, the contract judges it with the import time as its arrival
   * time (so an event more than the allowed skew ahead of it is invalid), and the import time is
   * the row's {@code ingest_time}. Not part of {@link #truth}: tests state their expectation.
   */
  public LakeRows addImportedLine(io.tidemark.core.event.PageViewEvent e, String file, long line, long importedAt) {
    byte[] value = io.tidemark.core.event.PageViewJson.toBytes(e);
    rows.add(row(value, null, null, -1, importedAt, file, line, importedAt));
    return this;
  }

  /**
   * Adds a record exactly as it was read from Kafka (its real coordinates and timestamp), the way
   * the lake's archive stores it. The caller keeps the ground truth (the generator's run).
   */
  public LakeRows addKafkaRecord(byte[] value, String topic, int partition, long offset, long timestamp) {
    rows.add(row(value, topic, partition, offset, timestamp, null, 0));
    return this;
  }

  /** Adds one valid event as a Kafka record of its user's partition, arriving at {@code arrival}. */
  public LakeRows addEvent(io.tidemark.core.event.PageViewEvent e, long arrival) {
    int partition = Math.floorMod(e.userId().hashCode(), PARTITIONS);
    rows.add(row(io.tidemark.core.event.PageViewJson.toBytes(e), "pageview_events", partition,
        offsets[partition]++, arrival, null, 0));
    return this;
  }

  private Row row(byte[] value, String topic, Integer partition, long offset, long arrival, String file, long line) {
    return row(value, topic, partition, offset, arrival, file, line, System.currentTimeMillis());
  }

  private Row row(byte[] value, String topic, Integer partition, long offset, long arrival, String file, long line,
      long ingestMs) {
    return row(value, topic, partition, offset, arrival, file, line, ingestMs, null);
  }

  private Row row(byte[] value, String topic, Integer partition, long offset, long arrival, String file, long line,
      long ingestMs, io.tidemark.core.event.WriterSchemas schemas) {
    if (PageViewParser.parse(value, arrival, schemas, null) instanceof ParseResult.Invalid inv) {
      Long ts = io.tidemark.core.event.PageViewAvro.isWireFormat(value) ? avroTimestamp(value, schemas) : null;
      try {
        JsonNode n = JSON.readTree(value);
        ts = n != null && n.path("timestamp").isIntegralNumber() ? n.get("timestamp").longValue() : null;
      } catch (Exception e) {
        // not JSON
      }
      long dayMs = ts != null && ts > 0 && ts <= 253_402_300_799_999L ? ts : arrival;
      LocalDate day = Windows.day(Windows.windowStart(dayMs));
      invalidByDay.computeIfAbsent(day, d -> new TreeMap<>()).merge(inv.reason().code(), 1L, Long::sum);
    }
    return LakeEventRows.row(value, topic, partition, offset, arrival, file, line, ingestMs, schemas);
  }

  private static Long avroTimestamp(byte[] value, io.tidemark.core.event.WriterSchemas schemas) {
    var d = io.tidemark.core.event.PageViewAvro.decodeRecord(value, schemas);
    return d.record() != null && d.record().get("timestamp") instanceof Long l ? l : null;
  }

  /** Appends the rows to the lake table in one commit. */
  public void appendTo(SparkSession spark, String table) throws Exception {
    spark.createDataFrame(rows, spark.table(table).schema()).writeTo(table).append();
  }

  /** Ground-truth counts of one metric restricted to windows of {@code day}. */
  public static <K> Map<K, Long> ofDay(Map<io.tidemark.core.metric.WindowKey, Long> counts, LocalDate day,
      java.util.function.Function<io.tidemark.core.metric.WindowKey, K> key) {
    Map<K, Long> out = new HashMap<>();
    counts.forEach((k, v) -> {
      if (Windows.day(k.windowStart()).equals(day)) {
        out.put(key.apply(k), v);
      }
    });
    return out;
  }
}
