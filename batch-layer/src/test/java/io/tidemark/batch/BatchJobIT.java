package io.tidemark.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.job.BatchResult;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratorSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The batch job on real Spark (local), a real Iceberg JDBC catalog on SQLite and files in s3proxy:
 * lake rows built from a generator plan that spans midnight, with invalid, duplicate and too-late
 * records, give exactly the generator's ground truth per day.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchJobIT {
  static final LocalDate D = LocalDate.parse("2026-11-24");
  static final LocalDate D1 = D.plusDays(1);

  SparkSession spark;
  TidemarkConfig cfg;
  BatchJob job;
  LakeRows lake;
  PageViewEvent firstCopy;

  @BeforeAll
  void fillLake() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "batch_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_it");
    cfg = TidemarkConfig.of(v);
    spark = SparkForTests.spark();
    job = BatchJob.create(spark, cfg);
    LakeRows.createEventsTable(spark, job.tables().events());
    GeneratorSpec spec = GeneratorSpec.builder()
        .startTime(Instant.parse("2026-11-24T23:45:00Z")).duration(Duration.ofMinutes(30)).rate(10)
        .users(40).pages(8).seed(7).outOfOrderMs(3_000).lateFraction(0.02)
        .duplicateFraction(0.03).invalidFraction(0.03).build();
    lake = new LakeRows().addKafka(spec);
    // A redelivery across midnight with different content: the first copy (lower offset, day D)
    // wins, so it counts on D only, never on D+1.
    long midnight = Windows.dayStartMs(D1);
    firstCopy = new PageViewEvent("midnight-1", "user-midnight", "/midnight", midnight - 100);
    lake.addEvent(firstCopy, midnight - 50);
    lake.addEvent(new PageViewEvent("midnight-1", "user-midnight", "/midnight", midnight + 100), midnight + 150);
    lake.appendTo(spark, job.tables().events());
  }

  @Test
  void countsOfEachDayEqualGroundTruthIncludingTooLateEvents() {
    for (LocalDate day : new LocalDate[] {D, D1}) {
      BatchResult r = job.run(day);
      for (CountMetric m : CountMetric.values()) {
        Map<WindowKey, Long> expected = new HashMap<>(LakeRows.ofDay(lake.truth.counts(m), day, k -> k));
        Map<WindowKey, Long> expectedLate = LakeRows.ofDay(lake.truth.tooLateCounts(m), day, k -> k);
        if (day.equals(D)) {
          expected.merge(m.windowKeyOf(firstCopy), 1L, Long::sum);
        }
        assertThat(batchCounts(m, day, "count")).as(m + " on " + day).isEqualTo(expected);
        Map<WindowKey, Long> late = new HashMap<>(batchCounts(m, day, "too_late"));
        late.values().removeIf(x -> x == 0);
        assertThat(late).as("too late " + m + " on " + day).isEqualTo(expectedLate);
        assertThat(r.rows().get(m)).isEqualTo(expected.size());
      }
      long distinct = LakeRows.ofDay(lake.truth.counts(CountMetric.USER), day, k -> k).values().stream()
          .mapToLong(Long::longValue).sum() + (day.equals(D) ? 1 : 0);
      assertThat(r.distinctEvents()).isEqualTo(distinct);
      assertThat(r.invalidByReason()).isEqualTo(lake.invalidByDay.getOrDefault(day, Map.of()));
      assertThat(r.tooLateEvents()).isEqualTo(
          LakeRows.ofDay(lake.truth.tooLateCounts(CountMetric.USER), day, k -> k).values().stream()
              .mapToLong(Long::longValue).sum());
      assertThat(r.notStreamedEvents()).isZero();
      assertThat(r.lakeSnapshotId()).isEqualTo(job.currentLakeSnapshot());
    }
    assertThat(lake.truth.tooLate()).isPositive();
    assertThat(lake.truth.duplicates()).isPositive();
  }

  @Test
  void rerunReplacesTheDayWithTheSameCounts() {
    job.run(D);
    Map<WindowKey, Long> first = batchCounts(CountMetric.PAGE, D, "count");
    job.run(D);
    assertThat(batchCounts(CountMetric.PAGE, D, "count")).isEqualTo(first);
  }

  @Test
  void dayWithoutRecordsFailsAndWritesNothing() {
    long before = spark.table(job.tables().counts(CountMetric.USER)).count();
    assertThatThrownBy(() -> job.run(LocalDate.parse("2026-11-20")))
        .isInstanceOfSatisfying(NoRecordsException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageStartingWith("No records for 2026-11-20 in " + job.tables().events() + " (lake snapshot ");
    assertThat(spark.table(job.tables().counts(CountMetric.USER)).count()).isEqualTo(before);
  }

  @Test
  void importedEventFarAheadOfItsImportIsInvalidAsInTheSpeedLayer() throws Exception {
    LocalDate f = LocalDate.parse("2026-11-28");
    long tenAm = Windows.dayStartMs(f) + Duration.ofHours(10).toMillis();
    new LakeRows()
        // Imported at 08:00 with a timestamp 2 h ahead: beyond EventContract.MAX_FUTURE_SKEW (1 h),
        // so `lake import` marked it invalid; the batch must agree although the row has no Kafka time.
        .addImportedLine(new PageViewEvent("future-1", "user-f", "/f", tenAm), "future.jsonl", 1,
            tenAm - Duration.ofHours(2).toMillis())
        // 30 min ahead of its import: within the skew.
        .addImportedLine(new PageViewEvent("near-1", "user-f", "/f", tenAm + 1_000), "near.jsonl", 1,
            tenAm - Duration.ofMinutes(30).toMillis())
        // History imported a day later.
        .addImportedLine(new PageViewEvent("past-1", "user-f", "/f", tenAm + 2_000), "past.jsonl", 1,
            tenAm + Duration.ofDays(1).toMillis())
        .appendTo(spark, job.tables().events());

    BatchResult r = job.run(f);

    assertThat(r.invalidByReason()).isEqualTo(Map.of("timestamp-in-future", 1L));
    assertThat(r.validRecords()).isEqualTo(2);
    assertThat(r.distinctEvents()).isEqualTo(2);
    assertThat(r.notStreamedEvents()).isEqualTo(2);
    assertThat(r.tooLateEvents()).isZero();
    assertThat(batchCounts(CountMetric.USER, f, "count")).isEqualTo(Map.of(new WindowKey("user-f", tenAm), 2L));
    assertThat(batchCounts(CountMetric.PAGE, f, "count")).isEqualTo(Map.of(new WindowKey("/f", tenAm), 2L));
  }

  @Test
  void everyTaskOfTheAggregateWritesItsOwnFileOfTheDay() {
    // Without coalescing, the aggregate has spark.sql.shuffle.partitions tasks; hashing the rows by
    // day before the write would hand the whole day to one of them (one file, one core).
    String coalesce = "spark.sql.adaptive.coalescePartitions.enabled";
    spark.conf().set(coalesce, "false");
    try {
      job.run(D);
    } finally {
      spark.conf().unset(coalesce);
    }
    for (CountMetric m : CountMetric.values()) {
      long files = spark.sql("SELECT count(*) FROM " + job.tables().counts(m) + ".files"
          + " WHERE partition.window_start_day = DATE '2026-11-24'").first().getLong(0);
      assertThat(files).as(m.servingTable()).isGreaterThan(1);
    }
  }

  @Test
  void scanFloorReadsTheDayWithItsMarginsAndTheRowsWithoutEventTime() {
    BatchJob.ScanFloor floor = job.scanFloor(D);
    String columns = String.join(", ", BatchJob.READ_COLUMNS);
    Row expected = spark.sql("SELECT count(*), bit_xor(xxhash64(" + columns + ")) FROM " + job.tables().events()
        + " VERSION AS OF " + floor.snapshot() + " WHERE event_time IS NULL"
        + " OR (event_time >= TIMESTAMP '2026-11-23 23:00:00' AND event_time < TIMESTAMP '2026-11-25 01:00:00')").first();
    assertThat(floor.rows()).isEqualTo(expected.getLong(0)).isGreaterThanOrEqualTo(job.run(D).records());
    assertThat(floor.hash()).isEqualTo(expected.getLong(1));

    // A day far from every event: only the rows without event time.
    BatchJob.ScanFloor empty = job.scanFloor(LocalDate.parse("2026-10-01"));
    long withoutTime = spark.sql("SELECT count(*) FROM " + job.tables().events() + " VERSION AS OF " + empty.snapshot()
        + " WHERE event_time IS NULL").first().getLong(0);
    assertThat(withoutTime).isPositive();
    assertThat(empty.rows()).isEqualTo(withoutTime);
  }

  Map<WindowKey, Long> batchCounts(CountMetric m, LocalDate day, String column) {
    Map<WindowKey, Long> out = new HashMap<>();
    for (Row r : spark.sql("SELECT " + m.keyColumn() + ", unix_millis(window_start), " + column + " FROM "
        + job.tables().counts(m) + " WHERE window_start >= timestamp_millis(" + Windows.dayStartMs(day)
        + ") AND window_start < timestamp_millis(" + Windows.dayEndMs(day) + ")").collectAsList()) {
      out.put(new WindowKey(r.getString(0), r.getLong(1)), r.getLong(2));
    }
    return out;
  }
}
