package io.tidemark.schema.clickhouse;

import io.tidemark.schema.StatementFailedException;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.StoreUnavailableException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Swaps one UTC day of a count table's store for the same day of its staging table, the atomic
 * step of reconciliation.
 *
 * <p>Protocol: clear the staging day ({@link #clearStagingDay}), insert the day's authoritative
 * rows into {@link CountTable#stagingTable()} with batch versions ({@link CountVersions#batch}),
 * check them ({@link #stagingDayStats}), then {@link #replaceDay}. Every other day of the store
 * is untouched.
 *
 * <p>Partition values are computed from a {@link LocalDate} by {@link DayPartition}, never taken
 * from text; table names come from {@link CountTable}.
 */
public final class PartitionReplacer {
  private final ClickHouseSql sql;

  public PartitionReplacer(ClickHouseSql sql) {
    this.sql = sql;
  }

  /** Rows and the sum of {@code count} of one day, after collapsing versions ({@code FINAL}). */
  public record DayStats(long rows, long countSum) {}

  /**
   * Replaces the day's partition of the store with the staging table's partition of that day
   * ({@code ALTER TABLE <store> REPLACE PARTITION <yyyymmdd> FROM <staging>}). ClickHouse does
   * this atomically: readers see the old day or the new day, never a mix. The staging day is
   * copied, not moved, and stays until {@link #clearStagingDay}. An empty staging day empties the
   * store's day.
   *
   * <p><b>Idempotent</b> while the staging day is unchanged: repeating the call leaves the same
   * rows. When the call fails with {@link StoreUnavailableException} the swap may or may not have
   * happened; repeating it is safe and completes it.
   *
   * <p>A speed-layer write racing the swap either lands before it (and is replaced) or after it.
   * After it, its speed version is below every reconciled version ({@link CountVersions}), so for
   * a key the batch wrote the reconciled count stays; a key the batch did not write becomes
   * visible and shows up as drift in the next reconcile.
   *
   * @throws StatementFailedException "Cannot replace partition 20261124 of ..." when the server
   *     rejects it
   */
  public void replaceDay(CountTable table, LocalDate day) {
    int partition = DayPartition.of(day);
    try {
      sql.execute(
          "ALTER TABLE {store:Identifier} REPLACE PARTITION {partition:UInt32} FROM {staging:Identifier}",
          Map.of(
              "store", qualified(table.storeTable()),
              "partition", partition,
              "staging", qualified(table.stagingTable())));
    } catch (StoreException e) {
      throw rethrow("Cannot replace partition " + partition + " of " + qualified(table.storeTable())
          + " from " + table.stagingTable(), e);
    }
  }

  /**
   * Drops the day's partition of the staging table. Idempotent: dropping a day that has no rows
   * is not an error. Touches only staging, so a failure leaves the served counts as they were.
   */
  public void clearStagingDay(CountTable table, LocalDate day) {
    int partition = DayPartition.of(day);
    try {
      sql.execute(
          "ALTER TABLE {staging:Identifier} DROP PARTITION {partition:UInt32}",
          Map.of("staging", qualified(table.stagingTable()), "partition", partition));
    } catch (StoreException e) {
      throw rethrow("Cannot clear partition " + partition + " of " + qualified(table.stagingTable()), e);
    }
  }

  /** Rows and total count of the day in the staging table, versions collapsed. */
  public DayStats stagingDayStats(CountTable table, LocalDate day) {
    return dayStats(table.stagingTable(), day);
  }

  /** Rows and total count of the day as readers see it (the store, versions collapsed). */
  public DayStats storeDayStats(CountTable table, LocalDate day) {
    return dayStats(table.storeTable(), day);
  }

  private DayStats dayStats(String tableName, LocalDate day) {
    List<Map<String, String>> rows =
        sql.queryRows(
            "SELECT count() AS row_count, sum(count) AS count_sum FROM {table:Identifier} FINAL"
                + " WHERE toYYYYMMDD(window_start) = {partition:UInt32}",
            Map.of("table", qualified(tableName), "partition", DayPartition.of(day)));
    Map<String, String> r = rows.get(0);
    return new DayStats(Long.parseLong(r.get("row_count")), Long.parseLong(r.get("count_sum")));
  }

  private String qualified(String table) {
    return sql.database() + "." + table;
  }

  private static StoreException rethrow(String context, StoreException e) {
    String message = context + ": " + e.getMessage();
    if (e instanceof StatementFailedException s) {
      return new StatementFailedException(message, s.serverCode(), s.isRetryable(), e);
    }
    if (e instanceof StoreUnavailableException) {
      return new StoreUnavailableException(message + " (the outcome is unknown; repeating is safe)", e);
    }
    return e;
  }
}
