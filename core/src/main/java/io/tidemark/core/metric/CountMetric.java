package io.tidemark.core.metric;

import io.tidemark.core.event.PageViewEvent;
import java.util.function.Function;

/**
 * The two counts Tidemark serves, each defined by its key. Every layer iterates over {@link
 * #values()} instead of naming tables and key columns itself, so adding a metric is one constant.
 */
public enum CountMetric {
  /** Page views per user per minute: serving table {@code user_page_counts}. */
  USER("user_id", "user_page_counts", PageViewEvent::userId),
  /** Page views per page per minute: serving table {@code page_view_counts}. */
  PAGE("page_url", "page_view_counts", PageViewEvent::pageUrl);

  private final String keyColumn;
  private final String servingTable;
  private final Function<PageViewEvent, String> keyExtractor;

  CountMetric(String keyColumn, String servingTable, Function<PageViewEvent, String> keyExtractor) {
    this.keyColumn = keyColumn;
    this.servingTable = servingTable;
    this.keyExtractor = keyExtractor;
  }

  /** Column name of the key, in ClickHouse, Iceberg and ground-truth files. */
  public String keyColumn() {
    return keyColumn;
  }

  /** The seed's table name that queries read ({@code SELECT key, window_start, count FROM ...}). */
  public String servingTable() {
    return servingTable;
  }

  /** The key of an event under this metric. */
  public String keyOf(PageViewEvent event) {
    return keyExtractor.apply(event);
  }

  /** The (key, window) cell an event counts towards. */
  public WindowKey windowKeyOf(PageViewEvent event) {
    return new WindowKey(keyOf(event), Windows.windowStart(event.timestamp()));
  }
}
