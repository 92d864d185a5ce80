package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in real headless Chromium (Debian's, driven by Playwright Java) while the real
 * pipeline runs: the traffic generator streams into Kafka and the Flink speed layer (a child JVM
 * on its own classpath) writes counts to ClickHouse. The page starts red (nothing written), the
 * live chart grows while the generator is still sending, and once the stream is over its totals,
 * top pages and a user lookup equal the generator's ground truth for the speed layer exactly. The
 * drift page shows its empty state, then a day's detail once reconcile runs are recorded (rows
 * inserted as reconciliation writes them; a real reconcile run needs Spark and the lake).
 *
 * <p>Screenshots of each page go to {@code target/screenshots/}, or to {@code docs/screenshots/}
 * with {@code -Dtidemark.screenshots.update=true} (the README shows those).
 *
 * <p>Never skipped: without a browser the test fails and says how to install one
 * ({@code serving/scripts/ensure-chromium.sh}). Without a built speed layer it fails naming the
 * build command.
 */
class DashboardBrowserIT {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TIDEMARK_CHROMIUM", "/usr/bin/chromium"));
  /** Small on purpose: the point is a chart that moves, on a shared 2-core machine. */
  private static final double RATE = 200;
  private static final Duration STREAM = Duration.ofSeconds(60);

  private static SpeedLayerChild speed;
  private static ServingServer server;
  private static Playwright playwright;
  private static Browser browser;
  private static Path screenshots;
  private static final ExecutorService GENERATOR = Executors.newSingleThreadExecutor();

  /** Where screenshots go: docs/screenshots only when asked to update them. */
  static Path screenshotDir() throws java.io.IOException {
    boolean update = Boolean.getBoolean("tidemark.screenshots.update");
    String docs = System.getProperty("tidemark.screenshots.docs-dir", "../docs/screenshots");
    Path dir = update ? Path.of(docs) : Path.of("target", "screenshots");
    return Files.createDirectories(dir.toAbsolutePath().normalize());
  }

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException(
          "No Chromium at " + CHROMIUM + ": run serving/scripts/ensure-chromium.sh (installs Debian's chromium), or set TIDEMARK_CHROMIUM");
    }
    screenshots = screenshotDir();
    speed = SpeedLayerChild.start("serving_ui");
    server = ServingServer.start(speed.config
        .with(ServingOptions.PORT, 0)
        .with(ServingOptions.REFRESH_INTERVAL, Duration.ofMillis(1000))
        .with(ServingOptions.CACHE_TTL, Duration.ofMillis(300)));
    try {
      playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
      browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(CHROMIUM)
          .setHeadless(true)
          .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot start headless Chromium " + CHROMIUM + " through Playwright: " + e.getMessage(), e);
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    GENERATOR.shutdownNow();
    GENERATOR.awaitTermination(30, TimeUnit.SECONDS);
    try {
      if (browser != null) {
        browser.close();
      }
      if (playwright != null) {
        playwright.close();
      }
      if (server != null) {
        server.close();
      }
    } finally {
      if (speed != null) {
        speed.close();
      }
    }
  }

  @Test
  void liveChartFollowsTheRunningPipelineAndDriftPageDrillsDown() throws Exception {
    Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1280, 900));
    page.setDefaultTimeout(60_000);
    page.navigate(server.url() + "/");
    page.waitForFunction("() => Number(document.getElementById('live-chart').getAttribute('data-updates')) >= 1");
    assertThat(page.getAttribute("#live-chart", "data-total")).isEqualTo("0");
    page.waitForFunction("() => document.getElementById('freshness').getAttribute('data-stale') === 'true'");
    assertThat(page.textContent("#freshness")).isEqualTo("STALE: no counts written yet");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("dashboard-stale.png")));

    // The generator starts once the job runs, so the page sees the counts arrive live.
    speed.awaitRunning(Duration.ofSeconds(150));
    long now = System.currentTimeMillis();
    GeneratorSpec spec = GeneratorSpec.builder()
        .rate(RATE).duration(STREAM).users(40).pages(12).seed(7)
        .startTime(Instant.ofEpochMilli(now))
        .outOfOrderMs(3_000)
        .lateFraction(0.01).lateBy(Duration.ofMinutes(10))
        .duplicateFraction(0.03).invalidFraction(0.02)
        .build();
    CompletableFuture<GroundTruth> generated = CompletableFuture.supplyAsync(
        () -> TrafficGenerator.builder().config(speed.config).spec(spec).build().run(null), GENERATOR);

    page.waitForFunction("() => Number(document.getElementById('live-chart').getAttribute('data-total')) > 0");
    long first = Long.parseLong(page.getAttribute("#live-chart", "data-total"));
    page.waitForFunction("t => Number(document.getElementById('live-chart').getAttribute('data-total')) > Number(t)", String.valueOf(first));
    long second = Long.parseLong(page.getAttribute("#live-chart", "data-total"));
    assertThat(generated).as("the chart grew from %d to %d while the generator was still sending", first, second).isNotDone();
    page.waitForFunction("() => document.getElementById('freshness').getAttribute('data-stale') === 'false'");
    assertThat(page.getAttribute("#freshness", "class")).contains("ok");

    GroundTruth truth = generated.get(STREAM.toSeconds() + 120, TimeUnit.SECONDS);
    assertThat(truth.produced()).isEqualTo(spec.totalRecords());
    Map<Instant, Long> perMinute = perMinute(truth.speedCounts(CountMetric.PAGE));
    long total = perMinute.values().stream().mapToLong(Long::longValue).sum();
    assertThat(second).isLessThan(total);
    // Early results carry every counted event within a second or two; the watermark then closes
    // the windows. The chart's total must reach the ground truth exactly, and stay there.
    page.waitForFunction("t => document.getElementById('live-chart').getAttribute('data-total') === t", String.valueOf(total),
        new Page.WaitForFunctionOptions().setTimeout(90_000));
    JsonNode totals = Http.get(server.url() + "/api/totals?minutes=30").json();
    Map<Instant, Long> shown = new TreeMap<>();
    totals.get("windows").forEach(w -> {
      if (w.get("count").asLong() > 0) {
        shown.put(Instant.parse(w.get("window_start").asText()), w.get("count").asLong());
      }
    });
    assertThat(shown).isEqualTo(perMinute);
    assertThat(speedCountsInClickHouse(CountMetric.USER)).isEqualTo(truth.speedCounts(CountMetric.USER));

    // Top pages of the last 10 minutes: views desc, then url, exactly the ground truth's.
    List<String> expectedTop = perKey(truth.speedCounts(CountMetric.PAGE)).entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(10).map(e -> e.getKey() + " " + String.format(java.util.Locale.US, "%,d", e.getValue())).toList();
    page.waitForFunction("n => document.querySelectorAll('#top-pages tbody tr').length === n && "
        + "document.querySelector('#top-pages tbody tr td.num').textContent === '" + expectedTop.get(0).substring(expectedTop.get(0).indexOf(' ') + 1) + "'",
        expectedTop.size());
    assertThat(page.locator("#top-pages tbody tr").allInnerTexts().stream().map(t -> t.replace('\t', ' ').strip()).toList())
        .isEqualTo(expectedTop);

    // A user lookup answers with the user's counted events and minute windows.
    Map<String, Long> users = perKey(truth.speedCounts(CountMetric.USER));
    String user = users.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
    long userWindows = truth.speedCounts(CountMetric.USER).keySet().stream().filter(k -> k.key().equals(user)).count();
    page.fill("#user-id", user);
    page.click("#user-form button");
    page.waitForSelector("#user-total");
    assertThat(page.textContent("#user-total")).isEqualTo(
        String.format(java.util.Locale.US, "%,d views by %s in %d minute windows", users.get(user), user, userWindows));
    // The speed layer commits its offsets at checkpoints: its consumer lag reaches 0.
    page.waitForFunction("g => document.getElementById('health').textContent.includes('consumer lag 0 records (' + g + ')')",
        speed.consumerGroup);
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("dashboard-live.png")).setFullPage(true));
    System.out.printf("DashboardBrowserIT: %d records at %.0f/s; chart %d -> %d while streaming, final %d events in %d minute windows%n",
        truth.produced(), RATE, first, second, total, perMinute.size());

    // Drift page before any reconcile run: empty state.
    page.click("#nav-drift");
    page.waitForSelector("#drift-view[data-loaded]");
    page.waitForSelector("#drift-empty", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE));
    assertThat(page.textContent("#drift-empty")).startsWith("No drift reports since ");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("drift-empty.png")).setFullPage(true));

    // Reconciliation records runs for the last three days; the page drills into one.
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try (ClickHouseSql writer = ClickHouseClients.connect(speed.config)) {
      for (int d = 3; d >= 1; d--) {
        recordRun(writer, today.minusDays(d), d * 17L);
      }
    }
    // The runs were written behind the page's back: reload until the drift view shows them (a
    // reload can race the inserts on a loaded machine), for at most about a minute.
    for (int attempt = 1; ; attempt++) {
      page.navigate(server.url() + "/#/drift");
      page.reload();
      try {
        page.waitForSelector("#drift-table tr.clickable", new Page.WaitForSelectorOptions().setTimeout(15_000));
        break;
      } catch (com.microsoft.playwright.TimeoutError e) {
        if (attempt == 4) {
          throw e;
        }
      }
    }
    assertThat(page.locator("#drift-table tr.clickable").count()).isEqualTo(3);
    assertThat(page.locator("#drift-chart rect.bar").count()).isEqualTo(3);
    String day = today.minusDays(1).toString();
    page.click("#drift-table tr[data-day='" + day + "']");
    page.waitForSelector("#drift-detail[data-loaded]");
    assertThat(page.textContent("#drift-detail-day")).isEqualTo(day);
    assertThat(page.locator("#drift-metrics tbody tr").count()).isEqualTo(2);
    assertThat(page.textContent("#drift-detail-status")).isEqualTo("reconciled since " + today + "T02:00:38Z");
    assertThat(rows(page, "#drift-causes")).containsExactly(
        "page_view_counts 15 2 0 0 17", "user_page_counts 15 2 0 0 17");
    assertThat(rows(page, "#drift-key-causes")).containsExactly(
        "page_view_counts too-late 1 15", "page_view_counts not-streamed 1 2",
        "user_page_counts too-late 1 15", "user_page_counts not-streamed 1 2");
    assertThat(rows(page, "#drift-keys")).containsExactly(
        "page_view_counts /home " + day + "T10:00:00Z 60 75 15 too-late",
        "user_page_counts user-42 " + day + "T10:00:00Z 5 20 15 too-late",
        "page_view_counts /about " + day + "T11:00:00Z 30 32 2 not-streamed",
        "user_page_counts user-7 " + day + "T11:00:00Z 3 5 2 not-streamed");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("drift-day.png")).setFullPage(true));
    page.close();

    assertThat(screenshots.resolve("dashboard-live.png")).isNotEmptyFile();
    assertThat(screenshots.resolve("drift-day.png")).isNotEmptyFile();
  }

  /** The rows of a table's body, cells joined with one space. */
  private static List<String> rows(Page page, String table) {
    return page.locator(table + " tbody tr").allInnerTexts().stream()
        .map(t -> t.strip().replaceAll("\\s*\t\\s*", " "))
        .toList();
  }

  private static Map<Instant, Long> perMinute(Map<WindowKey, Long> counts) {
    Map<Instant, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.merge(Instant.ofEpochMilli(k.windowStart()), v, Long::sum));
    return out;
  }

  private static Map<String, Long> perKey(Map<WindowKey, Long> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.merge(k.key(), v, Long::sum));
    return out;
  }

  /** The seed's query on a serving view, as (key, window) -> count. */
  private static Map<WindowKey, Long> speedCountsInClickHouse(CountMetric metric) {
    try (ClickHouseSql sql = ClickHouseClients.connect(speed.config)) {
      Map<WindowKey, Long> out = new TreeMap<>();
      for (Map<String, String> row : sql.queryRows("SELECT " + metric.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws, count FROM "
          + speed.config.get(ClickHouseOptions.DATABASE) + "." + metric.servingTable(), Map.of())) {
        out.put(new WindowKey(row.get("k"), Long.parseLong(row.get("ws")) * 1000), Long.parseLong(row.get("count")));
      }
      return out;
    }
  }

  private static void recordRun(ClickHouseSql writer, LocalDate day, long drift) {
    String db = writer.database();
    String runId = "run-" + day;
    Instant started = day.plusDays(1).atTime(2, 0).toInstant(ZoneOffset.UTC);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("run_id", runId);
    r.put("day", day);
    r.put("window_start", day.atStartOfDay().toInstant(ZoneOffset.UTC));
    r.put("started_at", started);
    r.put("finished_at", started.plusSeconds(38));
    r.put("outcome", "replaced");
    r.put("dry_run", 0);
    r.put("forced", 0);
    r.put("drifted", 1);
    r.put("lake_snapshot_id", 1L);
    r.put("batch_run_id", "batch-" + day);
    r.put("batch_total", 52_000);
    r.put("speed_total", 52_000 - drift);
    r.put("abs_drift", drift);
    r.put("relative_drift", drift / 52_000.0);
    r.put("too_late_events", drift - 2);
    r.put("not_streamed_events", 2);
    r.put("missing_events", 0);
    r.put("over_counted_events", 0);
    r.put("invalid_records", 4);
    r.put("report_json", "{}");
    writer.insertJsonEachRow(db + ".drift_reports", List.of(r));
    // Each metric is short by drift - 2 too-late events in one window and 2 not-streamed in another,
    // written as reconcile's ReportStore writes them (metric = serving table, cause codes).
    writer.insertJsonEachRow(db + ".drift_report_keys", List.of(
        key(runId, day, CountMetric.PAGE, "/home", 10, 60, drift - 2, "too-late"),
        key(runId, day, CountMetric.PAGE, "/about", 11, 30, 2, "not-streamed"),
        key(runId, day, CountMetric.USER, "user-42", 10, 5, drift - 2, "too-late"),
        key(runId, day, CountMetric.USER, "user-7", 11, 3, 2, "not-streamed")));
    for (CountMetric metric : CountMetric.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("run_id", runId);
      m.put("day", day);
      m.put("window_start", day.atStartOfDay().toInstant(ZoneOffset.UTC));
      m.put("metric", metric.servingTable());
      m.put("batch_rows", 14_400);
      m.put("speed_rows", 14_400);
      m.put("batch_total", 52_000);
      m.put("speed_total", 52_000 - drift);
      m.put("keys_only_speed", 0);
      m.put("keys_only_batch", 0);
      m.put("keys_different", 2);
      m.put("abs_drift", drift);
      m.put("relative_drift", drift / 52_000.0);
      m.put("too_late_events", drift - 2);
      m.put("not_streamed_events", 2);
      m.put("missing_events", 0);
      m.put("over_counted_events", 0);
      m.put("replaced", 1);
      writer.insertJsonEachRow(db + ".drift_report_metrics", List.of(m));
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("day", day);
    status.put("window_start", day.atStartOfDay().toInstant(ZoneOffset.UTC));
    status.put("status", "reconciled");
    status.put("changed_at", started.plusSeconds(38));
    status.put("lake_snapshot_id", 1L);
    status.put("run_id", runId);
    status.put("version", started.plusSeconds(38).toEpochMilli());
    writer.insertJsonEachRow(db + ".day_status", List.of(status));
  }

  private static Map<String, Object> key(String runId, LocalDate day, CountMetric metric, String key, int hour, long speed, long diff, String cause) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("run_id", runId);
    k.put("day", day);
    k.put("metric", metric.servingTable());
    k.put("key", key);
    k.put("window_start", day.atTime(hour, 0).toInstant(ZoneOffset.UTC));
    k.put("batch_count", speed + diff);
    k.put("speed_count", speed);
    k.put("diff", diff);
    k.put("too_late", cause.equals("too-late") ? diff : 0);
    k.put("cause", cause);
    return k;
  }
}
