package io.tidemark.reconcile.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.batch.table.BatchTables;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.KeyDiff;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The audit copy of every drift report in the lake: {@code lake.drift_reports} (one row per run,
 * the full report as JSON) and {@code lake.drift_report_keys} (every differing cell), both
 * append-only and partitioned by the reconciled day, kept as long as the lake keeps data.
 */
public final class IcebergAudit {
  public static final String REPORTS = "drift_reports";
  public static final String KEYS = "drift_report_keys";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final BatchTables tables;

  public IcebergAudit(SparkSession spark, BatchTables tables) {
    this.spark = spark;
    this.tables = tables;
  }

  public String reportsTable() {
    return tables.lakeTable(REPORTS);
  }

  public String keysTable() {
    return tables.lakeTable(KEYS);
  }

  /** Creates both tables where missing. Idempotent. */
  public void createIfMissing() {
    spark.sql("CREATE TABLE IF NOT EXISTS " + reportsTable() + " (run_id STRING, day DATE, started_at TIMESTAMP,"
        + " finished_at TIMESTAMP, outcome STRING, drifted BOOLEAN, lake_snapshot_id BIGINT, batch_run_id STRING,"
        + " batch_total BIGINT, speed_total BIGINT, abs_drift BIGINT, relative_drift DOUBLE, report_json STRING)"
        + " USING iceberg PARTITIONED BY (day) TBLPROPERTIES ('format-version'='2')");
    spark.sql("CREATE TABLE IF NOT EXISTS " + keysTable() + " (run_id STRING, day DATE, metric STRING, key STRING,"
        + " window_start TIMESTAMP, batch_count BIGINT, speed_count BIGINT, diff BIGINT, too_late BIGINT,"
        + " cause STRING) USING iceberg PARTITIONED BY (day) TBLPROPERTIES ('format-version'='2')");
  }

  /** Appends the report (keys first, then the report row). */
  public void write(DriftReport r, int top) throws Exception {
    createIfMissing();
    Date day = Date.valueOf(r.day());
    List<Row> keys = new ArrayList<>();
    for (CountMetric m : CountMetric.values()) {
      for (KeyDiff d : r.metrics().get(m).diffs()) {
        keys.add(RowFactory.create(r.runId(), day, m.servingTable(), d.key(), new Timestamp(d.windowStart()),
            d.batch(), d.speed(), d.diff(), d.tooLate(), d.cause()));
      }
    }
    if (!keys.isEmpty()) {
      spark.createDataFrame(keys, spark.table(keysTable()).schema()).writeTo(keysTable()).append();
    }
    Row row = RowFactory.create(r.runId(), day, Timestamp.from(r.startedAt()), Timestamp.from(r.finishedAt()),
        r.outcome().code(), r.drifted(), r.lakeSnapshotId(), r.batchRunId(), r.batchTotal(), r.speedTotal(),
        r.absDrift(), r.headline().relativeDrift(), JSON.writeValueAsString(r.toMap(top)));
    spark.createDataFrame(List.of(row), spark.table(reportsTable()).schema()).writeTo(reportsTable()).append();
  }
}
