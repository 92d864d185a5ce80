package io.tidemark.batch.job;

import static org.apache.spark.sql.functions.bit_xor;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tidemark.batch.BatchException;
import io.tidemark.batch.BatchOptions;
import io.tidemark.core.metric.LatenessHorizon;
import io.tidemark.batch.NoRecordsException;
import io.tidemark.batch.table.BatchTables;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.SparkWriteOptions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Recomputes the authoritative counts of one UTC day from {@code lake.pageview_events} and
 * replaces that day in the Iceberg count tables.
 *
 * <p>Steps, all with core's rules ({@link CoreRules}): pin the lake's current snapshot; read the
 * day's rows plus {@link BatchOptions#DEDUP_MARGIN} on either side (and rows without an event
 * time); re-apply the event contract; deduplicate by event_id over everything read, the first copy
 * winning (lowest Kafka partition and offset, then imported rows by file and line), so a
 * redelivery whose first copy lies just across midnight counts where the first copy does; keep the
 * winners whose window ({@link Windows#windowStart}) starts on the day; count per metric and
 * window. A one-minute window never crosses midnight (days are whole minutes), so the day of an
 * event and of its window are the same; the margin only serves deduplication.
 *
 * <p>{@link #run} is idempotent for a given lake snapshot: each metric's day is replaced with one
 * Iceberg commit ({@code overwrite} by the day's {@code window_start} range, which also empties a
 * day that has no counts any more), so readers see the old day or the new day, never a mix. A run
 * that fails before a commit leaves that table's day as it was; one that fails between the two
 * count commits leaves the tables on different snapshots, which {@code batch_runs} exposes (its
 * row is appended last) and the next run repairs.
 */
public final class BatchJob {
  /**
   * The lake columns a run reads (the rest, such as {@code invalid_detail} or {@code source_hash},
   * never decide a count). {@link #scanFloor} reads exactly these.
   */
  public static final List<String> READ_COLUMNS = List.of("event_id", "user_id", "page_url", "timestamp",
      "event_time", "valid", "invalid_reason", "raw_payload", "kafka_partition", "kafka_offset",
      "kafka_timestamp", "ingest_time", "source_file", "source_line");

  private final SparkSession spark;
  private final BatchTables tables;
  private final LatenessHorizon horizon;
  private final Duration dedupMargin;

  public BatchJob(SparkSession spark, BatchTables tables, LatenessHorizon horizon, Duration dedupMargin) {
    this.spark = spark;
    this.tables = tables;
    this.horizon = horizon;
    this.dedupMargin = dedupMargin;
  }

  /** The job as configured ({@link BatchOptions}, the speed layer's lateness keys). */
  public static BatchJob create(SparkSession spark, TidemarkConfig cfg) {
    return new BatchJob(spark, new BatchTables(cfg), LatenessHorizon.of(cfg), cfg.get(BatchOptions.DEDUP_MARGIN));
  }

  public BatchTables tables() {
    return tables;
  }

  /** The lake's current snapshot id, or -1 when the table has no data yet. */
  public long currentLakeSnapshot() {
    Snapshot s = eventsTable().currentSnapshot();
    return s == null ? -1L : s.snapshotId();
  }

  /** The lake table, freshly loaded. */
  public Table eventsTable() {
    try {
      Table t = Spark3Util.loadIcebergTable(spark, tables.events());
      t.refresh();
      return t;
    } catch (Exception e) {
      // A missing table stays missing until someone starts the archive; an unreachable catalog or
      // object store may come back, so only that is worth a retry.
      throw new BatchException("Cannot load lake table " + tables.events() + ": " + e.getMessage()
          + " (is the lake archive running, and tidemark.catalog.uri right?)", !isNoSuchTable(e), e);
    }
  }

  /** Whether {@code e} or one of its causes says that the table does not exist (Spark or Iceberg). */
  static boolean isNoSuchTable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getSimpleName().equals("NoSuchTableException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Recomputes {@code day} and replaces it in the count tables.
   *
   * @throws NoRecordsException when the lake has no record for the day (nothing is written)
   * @throws BatchException when the lake has no table or no snapshot (nothing is written), or when
   *     a commit fails; {@link BatchException#isRetryable()} says whether running again may help
   */
  public BatchResult run(LocalDate day) {
    Instant started = Instant.now();
    String runId = "batch-" + day + "-" + started.toEpochMilli();
    long snapshot = currentLakeSnapshot();
    if (snapshot < 0) {
      throw new BatchException("Lake table " + tables.events() + " has no data yet: nothing written for " + day, false);
    }
    tables.createIfMissing(spark);
    CoreRules.register(spark, horizon);

    long dayStart = Windows.dayStartMs(day);
    long dayEnd = Windows.dayEndMs(day);
    int dayNo = (int) day.toEpochDay();

    Dataset<Row> lake = lakeRead(snapshot, day);
    // Arrival at Kafka: what the speed layer's lateness is measured against (too-late events) and
    // the day of a record without event time; null for imported rows, which never streamed.
    Column arrival = unix_millis(col("kafka_timestamp"));
    // Arrival for the contract's future-skew rule: the Kafka timestamp, else when the row entered the
    // lake (an imported line: the import time, which `lake import` validated it against). Without
    // it an imported event far in the future, rejected by the import, would count on its future day.
    Column validationArrival = coalesce(arrival, unix_millis(col("ingest_time")));
    Dataset<Row> checked = lake.select(
            col("event_id"), col("user_id"), col("page_url"), col("timestamp"),
            col("kafka_partition"), col("kafka_offset"), col("source_file"), col("source_line"),
            arrival.as("arrival_ms"),
            CoreRules.invalidReasonColumn(col("valid"), col("event_id"), col("user_id"),
                col("page_url"), col("timestamp"), validationArrival, col("raw_payload"), col("invalid_reason"))
                .as("reason"),
            when(col("event_time").isNotNull(), unix_millis(col("event_time"))).otherwise(arrival).as("day_ms"))
        .withColumn("in_day", coalesce(
            callUDF("tidemark_window_day", callUDF("tidemark_window_start", col("day_ms"))).equalTo(dayNo),
            lit(false)));
    // One read of the lake: every row is ranked, invalid ones each in a window of its own (they take
    // no part in deduplication), then cut down to what the figures need (the verdict, each metric's
    // key, the window, the flags) and cached once; every figure below reads that cache.
    Column isValid = col("reason").isNull();
    List<Column> compact = new ArrayList<>();
    compact.add(col("reason"));
    for (CountMetric metric : CountMetric.values()) {
      compact.add(when(isValid,
              CoreRules.keyColumn(metric, col("event_id"), col("user_id"), col("page_url"), col("timestamp")))
          .as(keyAlias(metric)));
    }
    compact.add(col("window_start"));
    compact.add(isValid.and(col("rank").gt(1)).as("duplicate"));
    compact.add(when(isValid.and(callUDF(CoreRules.tooLateFunction(horizon), col("window_start"), col("arrival_ms"))), 1L)
        .otherwise(0L).as("too_late"));
    compact.add(when(col("kafka_offset").isNull(), 1L).otherwise(0L).as("not_streamed"));
    Dataset<Row> ranked = checked
        .withColumn("dedup_key", when(isValid, col("event_id")))
        .withColumn("invalid_row", when(not(isValid), monotonically_increasing_id()))
        .withColumn("rank", row_number().over(Window.partitionBy(col("dedup_key"), col("invalid_row")).orderBy(
            col("kafka_partition").asc_nulls_last(), col("kafka_offset").asc_nulls_last(),
            col("source_file").asc_nulls_last(), col("source_line").asc_nulls_last())))
        .where(col("in_day"))
        .withColumn("window_start", when(isValid, callUDF("tidemark_window_start", col("timestamp"))))
        .select(compact.toArray(new Column[0]))
        .persist(StorageLevel.MEMORY_AND_DISK());
    StepTimer steps = new StepTimer();
    try {
      Map<String, Long> invalidByReason = new TreeMap<>();
      for (Row r : steps.time("lake read + validate + dedup", () -> ranked.where(col("reason").isNotNull())
          .groupBy("reason").agg(count(lit(1)).as("n")).collectAsList())) {
        invalidByReason.put(r.getString(0), r.getLong(1));
      }
      long invalid = invalidByReason.values().stream().mapToLong(Long::longValue).sum();
      Dataset<Row> valid = ranked.where(col("reason").isNull());
      Row v = steps.time("valid totals", () -> valid.agg(count(lit(1)),
          coalesce(sum(when(col("duplicate"), 1).otherwise(0)), lit(0L))).first());
      long validRecords = v.getLong(0);
      long duplicates = ((Number) v.get(1)).longValue();
      if (validRecords + invalid == 0) {
        throw new NoRecordsException(day, "No records for " + day + " in " + tables.events() + " (lake snapshot "
            + snapshot + "): nothing written");
      }
      Dataset<Row> winners = valid.where(not(col("duplicate")));
      Row w = steps.time("event totals", () -> winners.agg(count(lit(1)), coalesce(sum("too_late"), lit(0L)),
          coalesce(sum("not_streamed"), lit(0L))).first());

      Map<CountMetric, Long> rows = new EnumMap<>(CountMetric.class);
      Column dayRange = col("window_start").geq(lit(Instant.ofEpochMilli(dayStart)))
          .and(col("window_start").lt(lit(Instant.ofEpochMilli(dayEnd))));
      for (CountMetric metric : CountMetric.values()) {
        Dataset<Row> counts = winners
            .select(col(keyAlias(metric)).as(metric.keyColumn()), col("window_start"), col("too_late"),
                col("not_streamed"))
            .groupBy(metric.keyColumn(), "window_start")
            .agg(count(lit(1)).as(BatchTables.COUNT), sum("too_late").as(BatchTables.TOO_LATE),
                sum("not_streamed").as(BatchTables.NOT_STREAMED))
            .select(col(metric.keyColumn()), timestamp_millis(col("window_start")).as(BatchTables.WINDOW_START),
                col(BatchTables.COUNT), col(BatchTables.TOO_LATE), col(BatchTables.NOT_STREAMED),
                lit(snapshot).as(BatchTables.LAKE_SNAPSHOT_ID), lit(runId).as(BatchTables.BATCH_RUN_ID));
        // Aggregated while written, not cached and counted first: the commit says how many rows it added.
        rows.put(metric, steps.time("aggregate + iceberg write " + metric.servingTable(),
            () -> overwrite(counts, metric, dayRange)));
      }
      Instant finished = Instant.now();
      BatchResult result = new BatchResult(runId, day, snapshot, started, finished,
          validRecords + invalid, validRecords, invalid, invalidByReason, duplicates,
          w.getLong(0), ((Number) w.get(1)).longValue(), ((Number) w.get(2)).longValue(), rows, Map.of());
      steps.run("batch_runs append", () -> appendRun(result));
      return result.withSteps(steps.seconds());
    } finally {
      ranked.unpersist();
    }
  }

  /**
   * What every run reads from the lake: {@link #READ_COLUMNS} of the pinned snapshot, rows whose
   * event time lies in the day plus {@link BatchOptions#DEDUP_MARGIN} on either side, and rows
   * without event time.
   */
  private Dataset<Row> lakeRead(long snapshot, LocalDate day) {
    long margin = dedupMargin.toMillis();
    return spark.sql("SELECT * FROM " + tables.events() + " VERSION AS OF " + snapshot)
        .where(col("event_time").isNull()
            .or(col("event_time").geq(lit(Instant.ofEpochMilli(Windows.dayStartMs(day) - margin)))
                .and(col("event_time").lt(lit(Instant.ofEpochMilli(Windows.dayEndMs(day) + margin))))))
        .select(READ_COLUMNS.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  /**
   * The least any Spark job over the day must do: the same read as {@link #run} (same snapshot
   * pinning, day filter and columns) with every row touched once by an aggregate Spark cannot
   * answer from metadata, the XOR of a hash of all columns read, and nothing else (no contract
   * check, no shuffle, no write). {@code bench batch} times it as the floor of the batch job's cost.
   * Reads only; a repeated call on an unchanged lake returns the same result.
   *
   * @throws BatchException when the lake has no table or no snapshot
   */
  public ScanFloor scanFloor(LocalDate day) {
    long snapshot = currentLakeSnapshot();
    if (snapshot < 0) {
      throw new BatchException("Lake table " + tables.events() + " has no data yet: nothing to scan for " + day, false);
    }
    Row r = lakeRead(snapshot, day)
        .agg(count(lit(1)), coalesce(bit_xor(xxhash64(
            READ_COLUMNS.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))), lit(0L)))
        .first();
    return new ScanFloor(snapshot, r.getLong(0), r.getLong(1));
  }

  /**
   * Result of {@link #scanFloor}: the rows read from lake snapshot {@code snapshot} and the XOR of
   * Spark's {@code xxhash64} over their columns (a checksum that forces every value to be read).
   */
  public record ScanFloor(long snapshot, long rows, long hash) {}

  private static String keyAlias(CountMetric metric) {
    return "key_" + metric.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Replaces the day of a count table; returns the rows its commit added (Iceberg's snapshot summary). */
  private long overwrite(Dataset<Row> counts, CountMetric metric, Column dayRange) {
    try {
      // No shuffle by partition before the write (Iceberg's default for a partitioned table is "hash"):
      // every row is of one day, so hashing by day sent the whole day to one task, which wrote one
      // file on one core, and reconcile then read that file with one task too. Each partition of the
      // aggregate now writes its own file of the one day.
      // And no sort by partition inside each task either: with the clustered writer Iceberg asks Spark to
      // sort every task's rows by days(window_start) first, a sort of rows that all hold the same day.
      // The fanout writer keeps a file open per partition instead, here one per task.
      counts.writeTo(tables.counts(metric)).option(SparkWriteOptions.DISTRIBUTION_MODE, "none")
          .option(SparkWriteOptions.FANOUT_ENABLED, "true").overwrite(dayRange);
      Table table = Spark3Util.loadIcebergTable(spark, tables.counts(metric));
      table.refresh();
      String added = table.currentSnapshot().summary().get(SnapshotSummary.ADDED_RECORDS_PROP);
      return added == null ? 0L : Long.parseLong(added);
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new BatchException("Count table " + tables.counts(metric) + " disappeared during the run", true, e);
    } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void appendRun(BatchResult r) {
    StructType schema = spark.table(tables.runs()).schema();
    Row row = RowFactory.create(r.runId(), java.sql.Date.valueOf(r.day()), r.lakeSnapshotId(),
        java.sql.Timestamp.from(r.startedAt()), java.sql.Timestamp.from(r.finishedAt()), r.records(),
        r.validRecords(), r.invalidRecords(), r.duplicates(), r.distinctEvents(), r.tooLateEvents(),
        r.notStreamedEvents(), new java.util.HashMap<>(r.invalidByReason()),
        r.rows().getOrDefault(CountMetric.USER, 0L), r.rows().getOrDefault(CountMetric.PAGE, 0L));
    try {
      spark.createDataFrame(List.of(row), schema).writeTo(tables.runs()).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new BatchException("Table " + tables.runs() + " disappeared during the run", true, e);
    }
  }
}
