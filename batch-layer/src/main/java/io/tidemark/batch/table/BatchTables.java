package io.tidemark.batch.table;

import io.tidemark.batch.BatchOptions;
import io.tidemark.batch.spark.LakeSpark;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import org.apache.spark.sql.SparkSession;

/**
 * The Iceberg tables of the batch layer, in the lake's namespace.
 *
 * <ul>
 *   <li>{@code <serving table>_batch} per {@link CountMetric}: the authoritative counts, one row per
 *       (key, window_start), partitioned by {@code days(window_start)} and replaced one day at a time.
 *       Besides {@code count} each row says how many of its events arrived too late for the speed
 *       layer ({@code too_late}) and how many never went through Kafka ({@code not_streamed},
 *       imported history), and which lake snapshot and batch run produced it.
 *   <li>{@code batch_runs}: one row per run and day with the day's record figures (read, valid,
 *       invalid per reason, duplicates), appended after the counts are committed.
 * </ul>
 */
public final class BatchTables {
  public static final String RUNS_TABLE = "batch_runs";
  public static final String COUNT = "count";
  public static final String WINDOW_START = "window_start";
  public static final String TOO_LATE = "too_late";
  public static final String NOT_STREAMED = "not_streamed";
  public static final String LAKE_SNAPSHOT_ID = "lake_snapshot_id";
  public static final String BATCH_RUN_ID = "batch_run_id";

  private final TidemarkConfig cfg;

  public BatchTables(TidemarkConfig cfg) {
    this.cfg = cfg;
  }

  /** Spark name of the raw events table, {@code tidemark.lake.pageview_events}. */
  public String events() {
    return LakeSpark.tableName(cfg, cfg.get(BatchOptions.EVENTS_TABLE));
  }

  /** Spark name of a metric's count table, e.g. {@code tidemark.lake.user_page_counts_batch}. */
  public String counts(CountMetric metric) {
    return LakeSpark.tableName(cfg, metric.servingTable() + cfg.get(BatchOptions.TABLE_SUFFIX));
  }

  /** Spark name of {@code batch_runs}. */
  public String runs() {
    return LakeSpark.tableName(cfg, RUNS_TABLE);
  }

  /** Spark name of any other table in the lake's namespace. */
  public String lakeTable(String table) {
    return LakeSpark.tableName(cfg, table);
  }

  /** Creates the namespace and the batch tables where missing. Idempotent. */
  public void createIfMissing(SparkSession spark) {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + LakeSpark.catalogName(cfg) + "." + namespace());
    for (CountMetric m : CountMetric.values()) {
      spark.sql("CREATE TABLE IF NOT EXISTS " + counts(m) + " ("
          + m.keyColumn() + " STRING NOT NULL, window_start TIMESTAMP NOT NULL, count BIGINT NOT NULL,"
          + " too_late BIGINT NOT NULL, not_streamed BIGINT NOT NULL, lake_snapshot_id BIGINT NOT NULL,"
          + " batch_run_id STRING NOT NULL) USING iceberg PARTITIONED BY (days(window_start))"
          + " TBLPROPERTIES ('format-version'='2', 'write.parquet.compression-codec'='zstd')");
    }
    spark.sql("CREATE TABLE IF NOT EXISTS " + runs() + " ("
        + "run_id STRING NOT NULL, day DATE NOT NULL, lake_snapshot_id BIGINT NOT NULL,"
        + " started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, records BIGINT NOT NULL,"
        + " valid_records BIGINT NOT NULL, invalid_records BIGINT NOT NULL, duplicates BIGINT NOT NULL,"
        + " distinct_events BIGINT NOT NULL, too_late_events BIGINT NOT NULL,"
        + " not_streamed_events BIGINT NOT NULL, invalid_by_reason MAP<STRING, BIGINT>,"
        + " user_rows BIGINT NOT NULL, page_rows BIGINT NOT NULL) USING iceberg"
        + " TBLPROPERTIES ('format-version'='2')");
  }

  private String namespace() {
    return cfg.get(io.tidemark.core.config.LakeOptions.NAMESPACE);
  }
}
