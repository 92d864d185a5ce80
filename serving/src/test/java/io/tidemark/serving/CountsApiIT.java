package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static io.tidemark.schema.clickhouse.CountTable.PAGE_VIEW_COUNTS;
import static io.tidemark.schema.clickhouse.CountTable.USER_PAGE_COUNTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.CountVersions;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every API endpoint against the real ClickHouse (18.16 here) with known rows in the store tables,
 * several versions per window included, read through the read-only user. The clock is fixed at
 * 2026-11-24T10:05:30Z so "last N minutes" and freshness have exact answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CountsApiIT {
  static final Instant NOW = Instant.parse("2026-11-24T10:05:30Z");
  private static StoreFixture store;
  private static ServingServer server;

  @BeforeAll
  static void writeKnownRowsAndStart() {
    store = new StoreFixture("serving_api");
    // Pages: /home 10:00 written three times (5, 9, 7 at versions 1, 3, 2): 9 counts.
    store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T10:00:00Z", 5, 1);
    store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T10:00:00Z", 9, 3);
    store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T10:00:00Z", 7, 2);
    store.write(PAGE_VIEW_COUNTS, "/about", "2026-11-24T10:00:00Z", 4, 1);
    store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T10:01:00Z", 2, 1);
    // /about 10:02 reconciled: the batch version wins over a later, higher speed emission.
    store.write(PAGE_VIEW_COUNTS, "/about", "2026-11-24T10:02:00Z", 3, 1);
    store.write(PAGE_VIEW_COUNTS, "/about", "2026-11-24T10:02:00Z", 6, CountVersions.batch(1));
    store.write(PAGE_VIEW_COUNTS, "/about", "2026-11-24T10:02:00Z", 4, 99);
    store.write(PAGE_VIEW_COUNTS, "/pricing?plan=a'b", "2026-11-24T10:04:00Z", 1, 1);
    store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T09:00:00Z", 100, 1);
    // 40 minutes ahead of the clock (valid: the contract allows an hour): not the newest window.
    store.write(PAGE_VIEW_COUNTS, "/ahead", "2026-11-24T10:45:00Z", 1, 1);
    // Users.
    store.write(USER_PAGE_COUNTS, "u1", "2026-11-24T10:00:00Z", 3, 1);
    store.write(USER_PAGE_COUNTS, "u1", "2026-11-24T10:00:00Z", 8, 2);
    store.write(USER_PAGE_COUNTS, "u1", "2026-11-24T10:01:00Z", 2, 1);
    store.write(USER_PAGE_COUNTS, "u1", "2026-11-23T23:59:00Z", 4, 1);
    store.write(USER_PAGE_COUNTS, "u2", "2026-11-24T10:00:00Z", 5, 1);
    store.write(USER_PAGE_COUNTS, "o'brien\\'; DROP TABLE x --", "2026-11-24T10:03:00Z", 7, 1);

    server =
        ServingServer.start(
            store.config
                .with(ServingOptions.PORT, 0)
                .with(ServingOptions.CACHE_TTL, java.time.Duration.ZERO),
            Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private static JsonNode ok(String path) {
    Http.Response r = Http.get(server.url() + path);
    assertThat(r.status()).as("%s -> %s", path, r.body()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    return r.json();
  }

  private static List<String> windows(JsonNode answer) {
    List<String> out = new ArrayList<>();
    answer.get("windows").forEach(w -> out.add(w.get("window_start").asText() + " " + w.get("count").asLong()));
    return out;
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void userCountsHaveOneRowPerWindowWithTheHighestVersion() {
    JsonNode a = ok("/api/counts/user?user_id=u1&from=2026-11-23T23:00:00Z&to=2026-11-24T10:05:00Z");
    assertThat(windows(a)).containsExactly(
        "2026-11-23T23:59:00Z 4", "2026-11-24T10:00:00Z 8", "2026-11-24T10:01:00Z 2");
    assertThat(a.get("total").asLong()).isEqualTo(14);
    assertThat(a.get("metric").asText()).isEqualTo("user");
    assertThat(a.get("key").asText()).isEqualTo("u1");
  }

  @Test
  void rangeIsFromInclusiveToExclusiveAndLimitBoundsTheWindows() {
    assertThat(windows(ok("/api/counts/user?user_id=u1&from=2026-11-24T10:00:00Z&to=2026-11-24T10:01:00Z")))
        .containsExactly("2026-11-24T10:00:00Z 8");
    assertThat(windows(ok("/api/counts/user?user_id=u1&from=2026-11-23T23:00:00Z&to=2026-11-24T10:05:00Z&limit=1")))
        .containsExactly("2026-11-23T23:59:00Z 4");
    // epoch milliseconds are accepted too
    assertThat(windows(ok("/api/counts/user?user_id=u1&from=" + Instant.parse("2026-11-24T10:01:00Z").toEpochMilli()
            + "&to=" + Instant.parse("2026-11-24T10:02:00Z").toEpochMilli())))
        .containsExactly("2026-11-24T10:01:00Z 2");
  }

  @Test
  void quotesAndSqlInAKeyAreDataNotSql() {
    String nasty = "o'brien\\'; DROP TABLE x --";
    JsonNode a = ok("/api/counts/user?user_id=" + q(nasty) + "&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z");
    assertThat(a.get("key").asText()).isEqualTo(nasty);
    assertThat(windows(a)).containsExactly("2026-11-24T10:03:00Z 7");
    assertThat(windows(ok("/api/counts/user?user_id=nobody&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z"))).isEmpty();
  }

  @Test
  void pageCountsPreferTheReconciledVersion() {
    JsonNode a = ok("/api/counts/page?page_url=%2Fabout&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z");
    assertThat(windows(a)).containsExactly("2026-11-24T10:00:00Z 4", "2026-11-24T10:02:00Z 6");
    assertThat(a.get("total").asLong()).isEqualTo(10);
    assertThat(windows(ok("/api/counts/page?page_url=" + q("/pricing?plan=a'b") + "&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z")))
        .containsExactly("2026-11-24T10:04:00Z 1");
  }

  @Test
  void totalsHaveEveryMinuteOfTheRangeWithZeros() {
    JsonNode a = ok("/api/totals?from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z");
    assertThat(windows(a)).containsExactly(
        "2026-11-24T10:00:00Z 13", "2026-11-24T10:01:00Z 2", "2026-11-24T10:02:00Z 6",
        "2026-11-24T10:03:00Z 0", "2026-11-24T10:04:00Z 1");
    assertThat(a.get("total").asLong()).isEqualTo(22);
    // last 6 minute windows at 10:05:30: 10:00 .. 10:05 inclusive
    JsonNode last = ok("/api/totals?minutes=6");
    assertThat(last.get("from").asText()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(last.get("to").asText()).isEqualTo("2026-11-24T10:06:00Z");
    assertThat(last.get("windows")).hasSize(6);
    assertThat(last.get("total").asLong()).isEqualTo(22);
  }

  @Test
  void topPagesOfTheLastMinutesRankByViewsThenUrl() {
    JsonNode a = ok("/api/top-pages?minutes=6&limit=10");
    List<String> pages = new ArrayList<>();
    a.get("pages").forEach(p -> pages.add(p.get("page_url").asText() + " " + p.get("views").asLong()));
    assertThat(pages).containsExactly("/home 11", "/about 10", "/pricing?plan=a'b 1");
    JsonNode two = ok("/api/top-pages?minutes=6&limit=2");
    assertThat(two.get("pages")).hasSize(2);
    JsonNode lastMinutes = ok("/api/top-pages?minutes=3");
    List<String> recent = new ArrayList<>();
    lastMinutes.get("pages").forEach(p -> recent.add(p.get("page_url").asText() + " " + p.get("views").asLong()));
    assertThat(recent).containsExactly("/pricing?plan=a'b 1");
  }

  @Test
  void freshnessIsTheNewestWindowAndItsLagBehindTheClock() {
    JsonNode f = ok("/api/freshness");
    assertThat(f.get("newest_window").asText()).isEqualTo("2026-11-24T10:04:00Z");
    assertThat(f.get("lag_seconds").asDouble()).isEqualTo(90.0);
    assertThat(f.get("stale").asBoolean()).isFalse();
    assertThat(f.get("stale_after_seconds").asLong()).isEqualTo(120);
    assertThat(f.get("newest_write").asText()).isEqualTo(StoreFixture.WRITTEN_AT.toString());
    assertThat(f.get("stored_rows").asLong()).isEqualTo(11);
  }

  @Test
  void freshnessReportsTheClockInMilliseconds() {
    try (ServingServer s = ServingServer.start(
        store.config.with(ServingOptions.PORT, 0), Clock.fixed(NOW.plusNanos(123_456_789), ZoneOffset.UTC))) {
      JsonNode f = Http.get(s.url() + "/api/freshness").json();
      assertThat(f.get("now").asText()).isEqualTo("2026-11-24T10:05:30.123Z");
      assertThat(f.get("lag_seconds").asDouble()).isEqualTo(90.123);
    }
  }

  @Test
  void freshnessIgnoresWindowsAfterTheClockSoAStallStillTurnsStale() {
    // 10:07:30: the newest window up to now is still 10:04 (lag 210 s > 120 s), although a window
    // of 10:45 is stored. Read through max(window_start) it would be "fresh" until 10:47.
    try (ServingServer later = ServingServer.start(
        store.config.with(ServingOptions.PORT, 0), Clock.fixed(NOW.plusSeconds(120), ZoneOffset.UTC))) {
      JsonNode f = Http.get(later.url() + "/api/freshness").json();
      assertThat(f.get("newest_window").asText()).isEqualTo("2026-11-24T10:04:00Z");
      assertThat(f.get("lag_seconds").asDouble()).isEqualTo(210.0);
      assertThat(f.get("stale").asBoolean()).isTrue();
      assertThat(Http.get(later.url() + "/api/health").json().get("speed_layer").get("status").asText()).isEqualTo("stalled");
    }
  }

  @Test
  void healthReportsClickHouseSpeedLayerAndNoReconciliationYet() {
    JsonNode h = ok("/api/health");
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("clickhouse").get("status").asText()).isEqualTo("up");
    assertThat(h.get("clickhouse").get("version").asText()).isNotEmpty();
    assertThat(h.get("speed_layer").get("status").asText()).isEqualTo("ok");
    // This test's config names a Kafka broker that is not running: lag is unknown, health still answers.
    assertThat(h.get("lake").get("status").asText()).isEqualTo("unknown");
    // the client either times out or reports the refused connection first, depending on timing
    assertThat(h.get("lake").get("message").asText())
        .isIn("Cannot read the end offsets of pageview_events: Kafka did not answer within 2000 ms",
            "Cannot read the end offsets of pageview_events: Kafka failed the request (details are in the serving layer's log)");
  }

  @Test
  void driftIsAnEmptyStateWhileTheTablesDoNotExist() {
    // A database an older build migrated (or none at all): no drift tables.
    String missing = store.writer.database() + "_none";
    try (ServingServer other = ServingServer.start(
        store.config.with(io.tidemark.core.config.ClickHouseOptions.DATABASE, missing).with(ServingOptions.PORT, 0),
        Clock.fixed(NOW, ZoneOffset.UTC))) {
      Http.Response list = Http.get(other.url() + "/api/drift/reports");
      assertThat(list.status()).as(list.body()).isEqualTo(200);
      assertThat(list.json().get("available").asBoolean()).isFalse();
      assertThat(list.json().get("reports")).isEmpty();
      assertThat(list.json().get("message").asText())
          .isEqualTo("No drift reports yet: table " + missing + ".drift_reports does not exist (run tidemark migrate, then reconcile).");
      Http.Response day = Http.get(other.url() + "/api/drift/reports/2026-11-24");
      assertThat(day.status()).isEqualTo(200);
      assertThat(day.json().get("available").asBoolean()).isFalse();
      assertThat(day.json().get("largest")).isEmpty();
    }
  }

  @Test
  @Order(1)
  void driftIsEmptyButAvailableBeforeTheFirstReconcileRun() {
    JsonNode list = ok("/api/drift/reports");
    assertThat(list.get("available").asBoolean()).isTrue();
    assertThat(list.get("reports")).isEmpty();
    assertThat(list.get("message").asText()).isEqualTo("No drift reports since 2026-10-26.");
    assertThat(ok("/api/health").get("reconciliation").get("status").asText()).isEqualTo("never_run");
  }

  private static Map<String, Object> run(String runId, String day, String startedAt, String outcome, long batch, long speed, long absDrift,
      long tooLate, long notStreamed, long missing) {
    Map<String, Object> r = new java.util.LinkedHashMap<>();
    r.put("run_id", runId);
    r.put("day", java.time.LocalDate.parse(day));
    r.put("window_start", Instant.parse(day + "T00:00:00Z"));
    r.put("started_at", Instant.parse(startedAt));
    r.put("finished_at", Instant.parse(startedAt).plusSeconds(42));
    r.put("outcome", outcome);
    r.put("dry_run", 0);
    r.put("forced", 0);
    r.put("drifted", absDrift > 0 ? 1 : 0);
    r.put("lake_snapshot_id", 7L);
    r.put("batch_run_id", "batch-" + runId);
    r.put("batch_total", batch);
    r.put("speed_total", speed);
    r.put("abs_drift", absDrift);
    r.put("relative_drift", batch == 0 ? 0.0 : (double) absDrift / batch);
    r.put("too_late_events", tooLate);
    r.put("not_streamed_events", notStreamed);
    r.put("missing_events", missing);
    r.put("over_counted_events", 0);
    r.put("invalid_records", 1);
    r.put("report_json", "{}");
    return r;
  }

  /** A differing cell as reconcile's ReportStore writes it: metric = serving table, cause codes joined with '+'. */
  private static Map<String, Object> key(String runId, CountMetric metric, String key, String window, long batch, long speed, long tooLate,
      String cause) {
    Map<String, Object> r = new java.util.LinkedHashMap<>();
    r.put("run_id", runId);
    r.put("day", java.time.LocalDate.parse(window.substring(0, 10)));
    r.put("metric", metric.servingTable());
    r.put("key", key);
    r.put("window_start", Instant.parse(window));
    r.put("batch_count", batch);
    r.put("speed_count", speed);
    r.put("diff", batch - speed);
    r.put("too_late", tooLate);
    r.put("cause", cause);
    return r;
  }

  /** A drift_report_metrics row of run {@code runId} on 2026-11-24 (batch total 103, speed total 98). */
  private static Map<String, Object> metric(String runId, CountMetric metric, long batchRows, long speedRows, long keysOnlyBatch,
      long keysDifferent, long tooLate, long notStreamed, long missing) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("day", java.time.LocalDate.parse("2026-11-24"));
    m.put("window_start", Instant.parse("2026-11-24T00:00:00Z"));
    m.put("metric", metric.servingTable());
    m.put("batch_rows", batchRows);
    m.put("speed_rows", speedRows);
    m.put("batch_total", 103);
    m.put("speed_total", 98);
    m.put("keys_only_speed", 0);
    m.put("keys_only_batch", keysOnlyBatch);
    m.put("keys_different", keysDifferent);
    m.put("abs_drift", tooLate + notStreamed + missing);
    m.put("relative_drift", (tooLate + notStreamed + missing) / 103.0);
    m.put("too_late_events", tooLate);
    m.put("not_streamed_events", notStreamed);
    m.put("missing_events", missing);
    m.put("over_counted_events", 0);
    m.put("replaced", 1);
    return m;
  }

  @Test
  @Order(2)
  void driftListAndDayDetailShowTheLatestRunOfEachDay() {
    String db = store.writer.database();
    // Two runs for 2026-11-24: the later one is the one shown.
    store.writer.insertJsonEachRow(db + ".drift_reports", List.of(
        run("run-1", "2026-11-24", "2026-11-25T02:00:00Z", "replaced", 104, 98, 6, 6, 0, 0),
        run("run-2", "2026-11-24", "2026-11-25T03:00:00Z", "replaced", 103, 98, 5, 4, 0, 1),
        run("run-0", "2026-11-23", "2026-11-24T03:00:00Z", "no_drift", 20, 20, 0, 0, 0, 0)));
    // run-2: pages short by 3 too-late + 2 not-streamed events; users (the run's headline) by
    // 3 too-late in one window and, in another, 1 too-late + 1 missing (one label for both).
    store.writer.insertJsonEachRow(db + ".drift_report_metrics", List.of(
        metric("run-2", CountMetric.PAGE, 50, 49, 1, 2, 3, 2, 0),
        metric("run-2", CountMetric.USER, 60, 60, 0, 2, 4, 0, 1)));
    store.writer.insertJsonEachRow(db + ".drift_report_keys", List.of(
        key("run-2", CountMetric.PAGE, "/home", "2026-11-24T10:00:00Z", 12, 9, 3, "too-late"),
        key("run-2", CountMetric.PAGE, "/about", "2026-11-24T10:02:00Z", 6, 4, 0, "not-streamed"),
        key("run-2", CountMetric.USER, "u1", "2026-11-24T10:00:00Z", 11, 8, 3, "too-late"),
        key("run-2", CountMetric.USER, "u2", "2026-11-24T10:01:00Z", 7, 5, 1, "too-late+missing-from-speed"),
        key("run-1", CountMetric.PAGE, "/home", "2026-11-24T10:00:00Z", 15, 9, 6, "too-late")));
    Map<String, Object> status = new java.util.LinkedHashMap<>();
    status.put("day", java.time.LocalDate.parse("2026-11-24"));
    status.put("window_start", Instant.parse("2026-11-24T00:00:00Z"));
    status.put("status", "reconciled");
    status.put("changed_at", Instant.parse("2026-11-25T03:00:42Z"));
    status.put("lake_snapshot_id", 7L);
    status.put("run_id", "run-2");
    status.put("version", 2);
    store.writer.insertJsonEachRow(db + ".day_status", List.of(status));

    JsonNode list = ok("/api/drift/reports?days=30");
    List<String> rows = new ArrayList<>();
    list.get("reports").forEach(r -> rows.add(r.get("day").asText() + " " + r.get("run_id").asText() + " " + r.get("outcome").asText()
        + " " + r.get("abs_drift").asLong() + " " + r.get("causes").get("too_late").asLong()));
    assertThat(rows).containsExactly("2026-11-24 run-2 replaced 5 4", "2026-11-23 run-0 no_drift 0 0");

    JsonNode day = ok("/api/drift/reports/2026-11-24?limit=2");
    assertThat(day.get("available").asBoolean()).isTrue();
    assertThat(day.get("status").get("status").asText()).isEqualTo("reconciled");
    assertThat(day.get("run").get("run_id").asText()).isEqualTo("run-2");
    assertThat(day.get("run").get("finished_at").asText()).isEqualTo("2026-11-25T03:00:42Z");
    // per metric: totals, keys, |drift| and its exact split into causes (too_late not_streamed missing over_counted)
    List<String> metrics = new ArrayList<>();
    day.get("metrics").forEach(m -> {
      JsonNode c = m.get("causes");
      metrics.add(m.get("metric").asText() + " " + m.get("speed_total").asLong() + "/" + m.get("batch_total").asLong()
          + " keys " + m.get("keys_only_batch").asLong() + "+" + m.get("keys_different").asLong() + " drift " + m.get("abs_drift").asLong()
          + " = " + c.get("too_late").asLong() + " " + c.get("not_streamed").asLong() + " " + c.get("missing").asLong()
          + " " + c.get("over_counted").asLong() + " replaced " + m.get("replaced").asBoolean());
    });
    assertThat(metrics).containsExactly(
        "page_view_counts 98/103 keys 1+2 drift 5 = 3 2 0 0 replaced true",
        "user_page_counts 98/103 keys 0+2 drift 5 = 4 0 1 0 replaced true");
    List<String> causes = new ArrayList<>();
    day.get("key_causes").forEach(c -> causes.add(c.get("metric").asText() + " " + c.get("cause").asText() + " " + c.get("windows").asLong() + " " + c.get("events").asLong()));
    assertThat(causes).containsExactly(
        "page_view_counts too-late 1 3", "page_view_counts not-streamed 1 2",
        "user_page_counts too-late 1 3", "user_page_counts too-late+missing-from-speed 1 2");
    List<String> largest = new ArrayList<>();
    day.get("largest").forEach(k -> largest.add(k.get("metric").asText() + " " + k.get("key").asText() + " " + k.get("window_start").asText()
        + " " + k.get("speed_count").asLong() + " " + k.get("batch_count").asLong() + " " + k.get("diff").asLong() + " " + k.get("cause").asText()));
    assertThat(largest).containsExactly(
        "page_view_counts /home 2026-11-24T10:00:00Z 9 12 3 too-late", "user_page_counts u1 2026-11-24T10:00:00Z 8 11 3 too-late");

    JsonNode none = ok("/api/drift/reports/2026-11-01");
    assertThat(none.get("message").asText()).isEqualTo("No drift report for 2026-11-01.");
    JsonNode health = ok("/api/health").get("reconciliation");
    assertThat(health.get("last_day").asText()).isEqualTo("2026-11-24");
    assertThat(health.get("last_finished_at").asText()).isEqualTo("2026-11-25T03:00:42Z");
    // the gauges follow within one background refresh (tidemark.serving.metrics-refresh-interval, 5 s)
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(Http.get(server.url() + "/metrics").body())
            .contains("tidemark_serving_drift_last_abs_drift 5.0")
            .contains("tidemark_serving_reconcile_last_finished_seconds " + (double) Instant.parse("2026-11-25T03:00:42Z").getEpochSecond()));
  }

  @Test
  void theReadOnlyUserCannotWrite() {
    String url = ClickHouseClients.url(store.config);
    String auth = Base64.getEncoder().encodeToString((store.config.get(ClickHouseOptions.READONLY_USER) + ":"
        + store.config.get(ClickHouseOptions.READONLY_PASSWORD)).getBytes(StandardCharsets.UTF_8));
    for (String sql : List.of(
        "INSERT INTO " + store.writer.database() + ".user_page_counts_store VALUES ('evil', '2026-11-24 10:00:00', 999, 1, 'speed', '2026-11-24 10:00:00')",
        "DROP TABLE " + store.writer.database() + ".user_page_counts_store")) {
      Http.Response r = Http.send(HttpRequest.newBuilder(URI.create(url + "/"))
          .header("Authorization", "Basic " + auth)
          .POST(HttpRequest.BodyPublishers.ofString(sql)).build());
      assertThat(r.status()).as(sql).isNotEqualTo(200);
      assertThat(r.body()).as(sql).contains("Code: 164").containsIgnoringCase("readonly");
    }
    // nothing changed
    assertThat(windows(ok("/api/counts/user?user_id=evil&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z"))).isEmpty();
    // ...and the read-only user is the one the server queries with: it could read
    assertThat(ok("/api/health").get("clickhouse").get("status").asText()).isEqualTo("up");
  }

  @Test
  void theServerQueriesAsTheConfiguredReadOnlyUser() {
    // Name a user ClickHouse does not know: every query fails naming it, so no other (writer)
    // credentials are used behind the read-only user's back.
    try (ServingServer other = ServingServer.start(
        store.config.with(ClickHouseOptions.READONLY_USER, "tidemark_nobody").with(ServingOptions.PORT, 0),
        Clock.fixed(NOW, ZoneOffset.UTC))) {
      // ClickHouse rejects the unknown user (18.16: "Code: 192 ... Unknown user"; current: "Code: 516
      // ... Authentication failed"), which the log names; the caller learns only that a query failed
      Http.Response r = Http.get(other.url() + "/api/freshness");
      assertThat(r.status()).as(r.body()).isEqualTo(500);
      assertThat(r.body()).isEqualTo(
          "{\"error\":\"query_failed\",\"message\":\"A ClickHouse query failed (details are in the serving layer's log)\"}");
      assertThat(Http.get(other.url() + "/metrics").body())
          .contains("tidemark_serving_clickhouse_query_errors_total{query=\"freshness\",reason=\"rejected\"}");
    }
  }

  @Test
  void metricsCountRequestsAndClickHouseQueries() {
    ok("/api/totals?minutes=5");
    String metrics = Http.get(server.url() + "/metrics").body();
    assertThat(metrics)
        .contains("tidemark_serving_http_requests_seconds_count{method=\"GET\",route=\"/api/totals\",status=\"200\"}")
        .contains("tidemark_serving_clickhouse_queries_seconds_count{query=\"totals\"}");
    // refreshed in the background: 10:05:30 (the fixed clock) minus the newest window 10:04:00
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(Http.get(server.url() + "/metrics").body()).contains("tidemark_serving_freshness_lag_seconds 90.0"));
  }
}
