package io.tidemark.serving;

import static io.tidemark.schema.clickhouse.CountTable.PAGE_VIEW_COUNTS;
import static io.tidemark.schema.clickhouse.CountTable.USER_PAGE_COUNTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.Windows;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in real headless Chromium (Debian's, driven by Playwright Java): the freshness
 * indicator is red while the newest window is old, new counts written while the page is open
 * change the live chart and turn it green, the user lookup answers, and the drift page shows its
 * empty state, then a day's detail once a reconcile run is recorded. Screenshots of each page go
 * to docs/screenshots/.
 *
 * <p>Never skipped: without a browser the test fails and says how to install one
 * ({@code serving/scripts/ensure-chromium.sh}).
 */
class DashboardBrowserIT {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TIDEMARK_CHROMIUM", "/usr/bin/chromium"));
  private static StoreFixture store;
  private static ServingServer server;
  private static Playwright playwright;
  private static Browser browser;
  private static Path screenshots;
  private static String speedGroup;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException(
          "No Chromium at " + CHROMIUM + ": run serving/scripts/ensure-chromium.sh (installs Debian's chromium), or set TIDEMARK_CHROMIUM");
    }
    String dir = System.getenv("TIDEMARK_SCREENSHOTS_DIR");
    screenshots = (dir != null ? Path.of(dir) : Path.of("..", "docs", "screenshots")).toAbsolutePath().normalize();
    Files.createDirectories(screenshots);

    store = new StoreFixture("serving_ui");
    long now = Windows.windowStart(System.currentTimeMillis());
    // 20 minutes of traffic that stopped 5 minutes ago: the speed layer looks stalled. All of it
    // stays inside the chart's 30 minutes even if the minute turns during the test, so the
    // chart's total changes only by what the test writes.
    for (int m = 25; m >= 5; m--) {
      Instant w = Instant.ofEpochMilli(now - m * Windows.SIZE_MS);
      store.write(PAGE_VIEW_COUNTS, "/home", w, 40 + (m % 7) * 5, 1);
      store.write(PAGE_VIEW_COUNTS, "/pricing", w, 10 + (m % 3) * 4, 1);
      store.write(PAGE_VIEW_COUNTS, "/docs/getting-started", w, 20 + (m % 5) * 3, 1);
    }
    store.write(USER_PAGE_COUNTS, "user-42", Instant.ofEpochMilli(now - 6 * Windows.SIZE_MS), 3, 1);
    store.write(USER_PAGE_COUNTS, "user-42", Instant.ofEpochMilli(now - 6 * Windows.SIZE_MS), 5, 2);
    store.write(USER_PAGE_COUNTS, "user-42", Instant.ofEpochMilli(now - 9 * Windows.SIZE_MS), 2, 1);

    // A running pipeline's consumer groups: the speed layer has read everything, the lake is
    // 40 records behind (both shown under Pipeline health).
    TidemarkConfig kafka = TestServices.get(Service.CLICKHOUSE, Service.KAFKA).config();
    String suffix = store.writer.database().substring(store.writer.database().lastIndexOf('_') + 1);
    String topic = "serving_ui_events_" + suffix;
    speedGroup = "tidemark-speed-layer-" + suffix;
    String lakeGroup = "connect-tidemark-lake-" + suffix;
    TidemarkConfig withKafka = store.config.with(KafkaOptions.BOOTSTRAP, kafka.get(KafkaOptions.BOOTSTRAP))
        .with(KafkaOptions.EVENTS_TOPIC, topic)
        .with(ServingOptions.SPEED_CONSUMER_GROUP, speedGroup)
        .with(ServingOptions.LAKE_CONSUMER_GROUP, lakeGroup);
    try (Admin admin = Admin.create(KafkaOptions.clientProperties(withKafka))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(withKafka));
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>(topic, 0, "u", "e" + i));
        }
        producer.flush();
      }
      admin.alterConsumerGroupOffsets(speedGroup, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(100)))
          .all().get(30, TimeUnit.SECONDS);
      admin.alterConsumerGroupOffsets(lakeGroup, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(60)))
          .all().get(30, TimeUnit.SECONDS);
    }

    server = ServingServer.start(withKafka
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
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void liveChartChangesWhenCountsArriveAndDriftPageDrillsDown() {
    Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1280, 900));
    page.navigate(server.url() + "/");
    page.waitForFunction("() => Number(document.getElementById('live-chart').getAttribute('data-updates')) >= 1");
    String before = page.getAttribute("#live-chart", "data-total");
    page.waitForFunction("() => document.getElementById('freshness').getAttribute('data-stale') !== null");
    assertThat(page.getAttribute("#freshness", "class")).contains("stale");
    assertThat(page.textContent("#freshness")).startsWith("STALE: newest window");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("dashboard-stale.png")));
    assertThat(page.locator("#top-pages tbody tr").count()).isEqualTo(3);
    assertThat(page.textContent("#top-pages tbody tr:first-child td")).isEqualTo("/home");

    // The speed layer catches up while the page is open: the current minute is written.
    long current = Windows.windowStart(System.currentTimeMillis());
    store.write(PAGE_VIEW_COUNTS, "/home", Instant.ofEpochMilli(current), 120, 1);
    store.write(PAGE_VIEW_COUNTS, "/checkout", Instant.ofEpochMilli(current), 30, 1);
    page.waitForFunction("t => document.getElementById('live-chart').getAttribute('data-total') !== t", before);
    long after = Long.parseLong(page.getAttribute("#live-chart", "data-total"));
    assertThat(after).isEqualTo(Long.parseLong(before) + 150);
    page.waitForFunction("() => document.getElementById('freshness').getAttribute('data-stale') === 'false'");
    assertThat(page.getAttribute("#freshness", "class")).contains("ok");

    page.fill("#user-id", "user-42");
    page.click("#user-form button");
    page.waitForSelector("#user-total");
    assertThat(page.textContent("#user-total")).isEqualTo("7 views by user-42 in 2 minute windows");
    page.waitForFunction("() => document.getElementById('health').textContent.includes('consumer lag 40 records')");
    assertThat(page.textContent("#health")).contains("consumer lag 0 records (" + speedGroup + ")");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("dashboard-live.png")).setFullPage(true));

    // Drift page before any reconcile run: empty state.
    page.click("#nav-drift");
    page.waitForSelector("#drift-view[data-loaded]");
    page.waitForSelector("#drift-empty", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE));
    assertThat(page.textContent("#drift-empty")).startsWith("No drift reports since ");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("drift-empty.png")).setFullPage(true));

    // Reconciliation records runs for the last three days; the page drills into one.
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int d = 3; d >= 1; d--) {
      recordRun(today.minusDays(d), d * 17L);
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
    assertThat(page.locator("#drift-keys tbody tr").count()).isEqualTo(2);
    assertThat(page.textContent("#drift-keys tbody tr:first-child td:nth-child(2)")).isEqualTo("/home");
    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("drift-day.png")).setFullPage(true));
    page.close();

    assertThat(screenshots.resolve("dashboard-live.png")).isNotEmptyFile();
    assertThat(screenshots.resolve("drift-day.png")).isNotEmptyFile();
  }

  private static void recordRun(LocalDate day, long drift) {
    String db = store.writer.database();
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
    store.writer.insertJsonEachRow(db + ".drift_reports", List.of(r));
    store.writer.insertJsonEachRow(db + ".drift_report_keys", List.of(
        key(runId, day, "page", "/home", 10, 60, drift - 2, "too_late"),
        key(runId, day, "user", "user-42", 11, 5, 2, "not_streamed")));
  }

  private static Map<String, Object> key(String runId, LocalDate day, String metric, String key, int hour, long speed, long diff, String cause) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("run_id", runId);
    k.put("day", day);
    k.put("metric", metric);
    k.put("key", key);
    k.put("window_start", day.atTime(hour, 0).toInstant(ZoneOffset.UTC));
    k.put("batch_count", speed + diff);
    k.put("speed_count", speed);
    k.put("diff", diff);
    k.put("too_late", cause.equals("too_late") ? diff : 0);
    k.put("cause", cause);
    return k;
  }
}
