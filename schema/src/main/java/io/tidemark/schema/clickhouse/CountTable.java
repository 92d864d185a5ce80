package io.tidemark.schema.clickhouse;

/**
 * The two serving count tables and the physical tables behind each.
 *
 * <p>Readers use the view ({@link #viewName()}, the seed's name and columns). The speed layer
 * writes to {@link #storeTable()}; reconciliation fills {@link #stagingTable()} and swaps a day
 * from it into the store with {@link PartitionReplacer}. All three share one column layout
 * ({@code <key>, window_start, count, version, source, written_at}).
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
