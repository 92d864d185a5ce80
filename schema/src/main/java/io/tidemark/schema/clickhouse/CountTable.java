package io.tidemark.schema.clickhouse;

import io.tidemark.core.metric.CountMetric;

/**
 * The two serving count tables and the physical tables behind each.
 *
 * <p>Readers use the view ({@link #viewName()}, the seed's name and columns). The speed layer
 * writes to {@link #storeTable()}; reconciliation fills {@link #stagingTable()} and swaps a day
 * from it into the store with {@link PartitionReplacer}. All three share one column layout
 * ({@code <key>, window_start, count, version, source, written_at}).
 *
 * <p>{@link #of(CountMetric)} is the only mapping from a metric to its tables: the speed sink,
 * the preflight, reconcile and serving all go through it, so a new metric without a table fails
 * there (and in {@code CountTableTest}) instead of being sent to another metric's table.
 */
public enum CountTable {
  /** Page views per user and minute window: the seed's {@code user_page_counts}. */
  USER_PAGE_COUNTS("user_page_counts", "user_id"),
  /** Page views per page URL and minute window. */
  PAGE_VIEW_COUNTS("page_view_counts", "page_url");

  private final String viewName;
  private final String keyColumn;

  CountTable(String viewName, String keyColumn) {
    this.viewName = viewName;
    this.keyColumn = keyColumn;
  }

  /**
   * The tables of a metric: the one whose view has the metric's serving name and key column.
   *
   * @throws IllegalStateException when no table is declared for the metric
   */
  public static CountTable of(CountMetric metric) {
    for (CountTable t : values()) {
      if (t.viewName.equals(metric.servingTable()) && t.keyColumn.equals(metric.keyColumn())) {
        return t;
      }
    }
    throw new IllegalStateException("No ClickHouse count table for metric " + metric + " (serving table "
        + metric.servingTable() + ", key " + metric.keyColumn() + "): declare one in CountTable");
  }

  /** The view readers query: one row per (key, window_start). */
  public String viewName() {
    return viewName;
  }

  /** The ReplacingMergeTree that holds every written version of every window. */
  public String storeTable() {
    return viewName + "_store";
  }

  /** Same structure as the store; a day is prepared here, then swapped in atomically. */
  public String stagingTable() {
    return viewName + "_staging";
  }

  /** The grouping key besides {@code window_start}: {@code user_id} or {@code page_url}. */
  public String keyColumn() {
    return keyColumn;
  }
}
