package io.tidemark.serving.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.SqlParameters;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every count query of the serving layer, in one place.
 *
 * <p>The queries read {@code <metric>_store FINAL} rather than the seed's views: on ClickHouse
 * 18.16 a WHERE on a view is not pushed into it ({@code enable_optimize_predicate_expression} is
 * off there), so a lookup through the view would collapse every version of every key first. The
 * answer is the same as the view's: every filter here is on the store's sorting key ({@code key,
 * window_start}), which all versions of one (key, window) share, so {@code FINAL} still keeps
 * exactly the highest version of each selected window. {@code CountTablesIT} in schema proves
 * the one-row-per-key property of {@code FINAL}; this module's {@code CountsApiIT} proves the
 * answers with several versions per window.
 *
 * <p>Windows are selected by their start: {@code from <= window_start < to}.
 */
public final class ServingQueries {
  public static final String KEY_COUNTS_USER =
      """
      SELECT window_start, count AS views
      FROM {t:Identifier} FINAL
      WHERE user_id = {key:String} AND window_start >= {from:DateTime} AND window_start < {to:DateTime}
      ORDER BY window_start
      LIMIT {limit:UInt32}""";

  public static final String KEY_COUNTS_PAGE =
      """
      SELECT window_start, count AS views
      FROM {t:Identifier} FINAL
      WHERE page_url = {key:String} AND window_start >= {from:DateTime} AND window_start < {to:DateTime}
      ORDER BY window_start
      LIMIT {limit:UInt32}""";

  /** Every valid event counts once per page, so the page table's sum is the event total. */
  public static final String TOTALS =
      """
      SELECT window_start, sum(count) AS total
      FROM {t:Identifier} FINAL
      WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
      GROUP BY window_start
      ORDER BY window_start""";

  public static final String TOP_PAGES =
      """
      SELECT page_url, sum(count) AS views
      FROM {t:Identifier} FINAL
      WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
      GROUP BY page_url
      ORDER BY views DESC, page_url
      LIMIT {limit:UInt32}""";

  /**
   * Over every version (no FINAL): any write, early or reconciled, shows the pipeline moved.
   * Windows after {@code now} are left out of the newest window: the event contract accepts
   * timestamps up to an hour ahead of the wall clock, and one such event would otherwise keep
   * the freshness lag at 0 (and the dashboard green) for an hour after the speed layer stalled.
   */
  public static final String FRESHNESS =
      """
      SELECT maxIf(window_start, window_start <= {now:DateTime}) AS newest_window, max(written_at) AS newest_write,
        count() AS stored_rows
      FROM {t:Identifier}""";

  private final ClickHouseReader reader;
  private final Clock clock;

  /**
   * Every query of this class bound with representative parameters for tables in {@code
   * database}, by name: for checking them on an engine other than the one the ITs run (the
   * current-engine test), not for execution by the server.
   */
  public static Map<String, String> boundForCheck(String database) {
    Instant from = Instant.parse("2026-11-24T10:00:00Z");
    Instant to = Instant.parse("2026-11-24T10:05:00Z");
    String users = database + "." + CountTable.USER_PAGE_COUNTS.storeTable();
    String pages = database + "." + CountTable.PAGE_VIEW_COUNTS.storeTable();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("user_counts", SqlParameters.bind(KEY_COUNTS_USER, Map.of("t", users, "key", "u1", "from", from, "to", to, "limit", 100L)));
    out.put("page_counts", SqlParameters.bind(KEY_COUNTS_PAGE, Map.of("t", pages, "key", "/about", "from", from, "to", to, "limit", 100L)));
    out.put("totals", SqlParameters.bind(TOTALS, Map.of("t", pages, "from", from, "to", to)));
    out.put("top_pages", SqlParameters.bind(TOP_PAGES, Map.of("t", pages, "from", from, "to", to, "limit", 10L)));
    out.put("freshness", SqlParameters.bind(FRESHNESS, Map.of("t", pages, "now", to)));
    return out;
  }

  public ServingQueries(ClickHouseReader reader, Clock clock) {
    this.reader = reader;
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /** One window's count. */
  public record WindowCount(String windowStart, long count) {}

  /** Counts of one key (a user or a page) per minute window in {@code [from, to)}. */
  public record KeyCounts(String metric, String key, String from, String to, long total, List<WindowCount> windows) {}

  /**
   * Minute counts of one user or page; windows without events are absent.
   *
   * @param limit most windows returned (the range already bounds them; this bounds it twice)
   */
  public KeyCounts keyCounts(CountMetric metric, String key, Instant from, Instant to, int limit) {
    String sql = metric == CountMetric.USER ? KEY_COUNTS_USER : KEY_COUNTS_PAGE;
    List<JsonNode> rows =
        reader.query(
            metric == CountMetric.USER ? "user_counts" : "page_counts",
            sql,
            Map.of("t", store(metric), "key", key, "from", from, "to", to, "limit", (long) limit));
    List<WindowCount> windows = new ArrayList<>(rows.size());
    long total = 0;
    for (JsonNode row : rows) {
      long views = row.get("views").asLong();
      total += views;
      windows.add(new WindowCount(instant(row.get("window_start").asText()).toString(), views));
    }
    return new KeyCounts(metric.name().toLowerCase(java.util.Locale.ROOT), key, from.toString(), to.toString(), total, windows);
  }

  /** Events per minute, every minute of the range present (0 where nothing was counted). */
  public record Totals(String from, String to, long total, List<WindowCount> windows) {}

  public Totals totals(Instant from, Instant to) {
    List<JsonNode> rows =
        reader.query("totals", TOTALS, Map.of("t", store(CountMetric.PAGE), "from", from, "to", to));
    Map<Long, Long> byWindow = new LinkedHashMap<>();
    for (JsonNode row : rows) {
      byWindow.put(instant(row.get("window_start").asText()).toEpochMilli(), row.get("total").asLong());
    }
    List<WindowCount> windows = new ArrayList<>();
    long total = 0;
    for (long w = Windows.windowStart(from.toEpochMilli()); w < to.toEpochMilli(); w += Windows.SIZE_MS) {
      if (w < from.toEpochMilli()) {
        continue;
      }
      long n = byWindow.getOrDefault(w, 0L);
      total += n;
      windows.add(new WindowCount(Instant.ofEpochMilli(w).toString(), n));
    }
    return new Totals(from.toString(), to.toString(), total, windows);
  }

  /** One page's views in a range. */
  public record PageViews(String pageUrl, long views) {}

  /** The most viewed pages in {@code [from, to)}, ties broken by URL. */
  public record TopPages(String from, String to, int minutes, List<PageViews> pages) {}

  /**
   * Top pages of the last {@code minutes} minute windows, the current (still open) one included.
   */
  public TopPages topPages(int minutes, int limit) {
    Instant to = Instant.ofEpochMilli(Windows.windowEnd(Windows.windowStart(clock.millis())));
    Instant from = to.minusMillis(minutes * Windows.SIZE_MS);
    List<JsonNode> rows =
        reader.query(
            "top_pages", TOP_PAGES,
            Map.of("t", store(CountMetric.PAGE), "from", from, "to", to, "limit", (long) limit));
    List<PageViews> pages = new ArrayList<>(rows.size());
    for (JsonNode row : rows) {
      pages.add(new PageViews(row.get("page_url").asText(), row.get("views").asLong()));
    }
    return new TopPages(from.toString(), to.toString(), minutes, pages);
  }

  /**
   * How far behind the wall clock the newest written window is (windows starting after the wall
   * clock do not count). {@code newestWindow} is null and {@code stale} true when nothing was
   * written, or only windows in the future.
   */
  public record Freshness(
      String now, String newestWindow, String newestWrite, Double lagSeconds, long staleAfterSeconds, boolean stale, long storedRows) {}

  public Freshness freshness(long staleAfterSeconds) {
    // milliseconds, like the lag: the clock's nanoseconds were noise in the API's answer
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    List<JsonNode> rows = reader.query(
        "freshness", FRESHNESS, Map.of("t", store(CountMetric.PAGE), "now", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    JsonNode row = rows.get(0);
    long stored = row.get("stored_rows").asLong();
    Instant newest = instant(row.get("newest_window").asText());
    Instant newestWrite = instant(row.get("newest_write").asText());
    if (stored == 0 || newest.getEpochSecond() <= 0) {
      return new Freshness(now.toString(), null, stored == 0 ? null : newestWrite.toString(), null, staleAfterSeconds, true, stored);
    }
    double lag = Math.max(0, now.toEpochMilli() - newest.toEpochMilli()) / 1000.0;
    return new Freshness(
        now.toString(), newest.toString(), newestWrite.toString(), lag, staleAfterSeconds, lag > staleAfterSeconds, stored);
  }

  /** Whether ClickHouse answers as the read-only user; its version when it does. */
  public String serverVersion() {
    return reader.query("ping", "SELECT version() AS v", Map.of()).get(0).get("v").asText();
  }

  private String store(CountMetric metric) {
    return reader.table(CountTable.of(metric).storeTable());
  }

  private static Instant instant(String clickHouseDateTime) {
    return ClickHouseTimes.instant(clickHouseDateTime);
  }
}
