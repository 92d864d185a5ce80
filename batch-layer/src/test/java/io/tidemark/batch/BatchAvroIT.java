package io.tidemark.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.job.BatchResult;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.WriterSchemas;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.AvroValues;
import io.tidemark.generator.GeneratorSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Avro rows count exactly like JSON rows in the batch: a lake holding a generator plan written as
 * mixed JSON and Avro (a v1 -> v2 schema evolution halfway, duplicates, out-of-order, too-late and
 * invalid records, across midnight), archived the way the lake decodes them, gives the generator's
 * ground truth per day, invalid reasons included. Real Spark, Iceberg JDBC catalog, s3proxy.
 */
class BatchAvroIT {
  static final LocalDate D = LocalDate.parse("2026-11-24");
  static final Schema V2 = new Schema.Parser().parse("""
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
        {"name": "referrer", "type": ["null", "string"], "default": null}]}""");

  @Test
  void avroAndJsonRowsOfEachDayCountAsTheGroundTruth() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "batch_avro_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_avro_it");
    TidemarkConfig cfg = TidemarkConfig.of(v);
    SparkSession spark = SparkForTests.spark();
    BatchJob job = BatchJob.create(spark, cfg);
    LakeRows.createEventsTable(spark, job.tables().events());
    GeneratorSpec spec = GeneratorSpec.builder()
        .startTime(Instant.parse("2026-11-24T23:45:00Z")).duration(Duration.ofMinutes(30)).rate(10)
        .users(40).pages(8).seed(17).outOfOrderMs(3_000).lateFraction(0.02)
        .duplicateFraction(0.03).invalidFraction(0.05).build();
    Map<Integer, String> registry = Map.of(21, PageViewAvro.SCHEMA.toString(), 22, V2.toString());
    WriterSchemas schemas = WriterSchemas.builder().source(id -> Optional.ofNullable(registry.get(id))).build();
    AvroValues avro = AvroValues.builder().schema(0, 21, PageViewAvro.SCHEMA).schema(9_000, 22, V2).jsonEvery(4).build();
    LakeRows lake = new LakeRows().addKafka(spec, avro, schemas);
    long avroRows = lake.rows.stream().filter(r -> !r.isNullAt(17)).count();
    assertThat(avroRows).isBetween(12_000L, 13_500L);
    lake.appendTo(spark, job.tables().events());

    for (LocalDate day : new LocalDate[] {D, D.plusDays(1)}) {
      BatchResult r = job.run(day);
      for (CountMetric m : CountMetric.values()) {
        Map<WindowKey, Long> expected = LakeRows.ofDay(lake.truth.counts(m), day, k -> k);
        assertThat(counts(spark, job, m, day)).as(m + " on " + day).isEqualTo(expected);
      }
      assertThat(r.invalidByReason()).isEqualTo(lake.invalidByDay.getOrDefault(day, Map.of()));
    }
    assertThat(lake.truth.duplicates()).isPositive();
    assertThat(lake.truth.tooLate()).isPositive();
  }

  static Map<WindowKey, Long> counts(SparkSession spark, BatchJob job, CountMetric m, LocalDate day) {
    Map<WindowKey, Long> out = new HashMap<>();
    for (Row r : spark.sql("SELECT " + m.keyColumn() + ", unix_millis(window_start), count FROM "
        + job.tables().counts(m) + " WHERE window_start >= timestamp_millis(" + Windows.dayStartMs(day)
        + ") AND window_start < timestamp_millis(" + Windows.dayEndMs(day) + ")").collectAsList()) {
      out.put(new WindowKey(r.getString(0), r.getLong(1)), r.getLong(2));
    }
    return out;
  }
}
