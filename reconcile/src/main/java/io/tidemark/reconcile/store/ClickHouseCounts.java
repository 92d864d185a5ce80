package io.tidemark.reconcile.store;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.PartitionReplacer;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The served counts of one day in ClickHouse and their replacement through staging ({@link
 * PartitionReplacer}); {@link ReconcileCells} compares and stages.
 */
public final class ClickHouseCounts {
  private final ClickHouseSql sql;
  private final PartitionReplacer replacer;

  public ClickHouseCounts(ClickHouseSql sql) {
    this.sql = sql;
    this.replacer = new PartitionReplacer(sql);
  }

  /** Swaps the staged day into the store (atomic per table), see {@link PartitionReplacer#replaceDay}. */
  public void replace(CountMetric metric, LocalDate day) {
    replacer.replaceDay(CountTable.of(metric), day);
  }

  /** Drops the staging day. Idempotent. */
  public void clearStaging(CountMetric metric, LocalDate day) {
    replacer.clearStagingDay(CountTable.of(metric), day);
  }

  /** Rows and sum of the served day. */
  public PartitionReplacer.DayStats servedStats(CountMetric metric, LocalDate day) {
    return replacer.storeDayStats(CountTable.of(metric), day);
  }

  /** The version of a reconcile run's rows: {@link CountVersions#batch} of the run's epoch ms. */
  public static long batchVersion(Instant runStart) {
    return CountVersions.batch(runStart.toEpochMilli());
  }
}
