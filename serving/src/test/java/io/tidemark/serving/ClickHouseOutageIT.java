package io.tidemark.serving;

import static io.tidemark.schema.clickhouse.CountTable.PAGE_VIEW_COUNTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.ServingOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.serving.api.ApiRoutes;
import io.tidemark.stack.LocalStack;
import io.tidemark.stack.Service;
import io.tidemark.stack.ServiceStatus;
import io.tidemark.stack.StackOptions;
import io.tidemark.testsupport.LayerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The serving layer while its ClickHouse fails for real: a ClickHouse 18.16 of this test's own
 * (a {@link LocalStack} on free ports), first frozen with SIGSTOP (it keeps accepting connections
 * and never answers, the case that made {@code GET /metrics} take 40 s), then killed (connections
 * refused) and started again. The server runs as {@code tidemark serve} does, in a child JVM,
 * so its log is the file a user would read; 64 clients poll the API throughout.
 */
class ClickHouseOutageIT {
  private static final String TOTALS = "/api/totals?from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z";
  private static final int CLIENTS = 64;

  @Test
  void servesMetricsAndHealthWhileClickHouseStallsAndRecoversAfterwards() throws Exception {
    Path home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "outage-stack-");
    LocalStack stack = new LocalStack(TidemarkConfig.of(Map.of(
        StackOptions.HOME.key(), home.toString(),
        StackOptions.CLICKHOUSE_HTTP_PORT.key(), Integer.toString(LayerProcess.freePort()),
        StackOptions.CLICKHOUSE_TCP_PORT.key(), Integer.toString(LayerProcess.freePort()),
        StackOptions.CLICKHOUSE_INTERSERVER_PORT.key(), Integer.toString(LayerProcess.freePort()),
        StackOptions.STOP_TIMEOUT.key(), "20s")));
    stack.up(EnumSet.of(Service.CLICKHOUSE), (s, m) -> System.out.println("[outage stack] " + s + ": " + m));
    long pid = clickHousePid(stack);
    Path log = Path.of("target", "clickhouse-outage-it", "serve.log").toAbsolutePath();
    Files.deleteIfExists(log);
    try (StoreFixture store = new StoreFixture("serving_outage", stack.config())) {
      store.write(PAGE_VIEW_COUNTS, "/home", "2026-11-24T10:00:00Z", 5, 1);
      store.write(PAGE_VIEW_COUNTS, "/about", "2026-11-24T10:01:00Z", 3, 1);
      int port = LayerProcess.freePort();
      // no Kafka here: its lag gauges would log their own (rate-limited) WARN line
      java.util.Map<String, String> values = new java.util.TreeMap<>(store.config.explicitValues());
      values.remove(io.tidemark.core.config.KafkaOptions.BOOTSTRAP.key());
      TidemarkConfig cfg = TidemarkConfig.of(values)
          .with(ServingOptions.PORT, port)
          .with(ServingOptions.CACHE_TTL, Duration.ZERO) // every request asks ClickHouse, as uncached lookups do
          .with(ServingOptions.QUERY_TIMEOUT, Duration.ofSeconds(1))
          .with(ServingOptions.BREAKER_FAILURES, 3)
          .with(ServingOptions.BREAKER_OPEN_TIME, Duration.ofSeconds(1))
          .with(ServingOptions.METRICS_REFRESH_INTERVAL, Duration.ofMillis(500))
          .with(ServingOptions.LOG_INTERVAL, Duration.ofMinutes(1));
      String base = "http://127.0.0.1:" + port;
      try (LayerProcess serve = LayerProcess.builder("serving", ServingMain.class.getName())
          .config(cfg).jvmArg("-Xmx256m").log(log).stopTimeout(Duration.ofSeconds(10)).start()) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> Http.get(base + "/api/health").status() == 200);
        assertThat(Http.get(base + TOTALS).json().get("total").asLong()).isEqualTo(8);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(base, "tidemark_serving_gauges_age_seconds{source=\"clickhouse\"}") < 2);

        // 1. frozen: accepts connections, never answers
        long warnBefore = warnLines(log);
        signal("STOP", pid);
        Load load = Load.start(base + TOTALS, CLIENTS);
        double slowestScrape = 0;
        int scrapes = 0;
        try {
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
          while (System.nanoTime() < until) {
            long t0 = System.nanoTime();
            Http.Response m = Http.get(base + "/metrics");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(m.status()).isEqualTo(200);
            slowestScrape = Math.max(slowestScrape, seconds);
            scrapes++;
            Thread.sleep(250);
          }
          Http.Response health = Http.get(base + "/api/health");
          assertThat(health.status()).as(health.body()).isEqualTo(503);
          assertThat(health.body()).isEqualTo("{\"status\":\"down\",\"clickhouse\":{\"status\":\"down\",\"message\":\""
              + ApiRoutes.CLICKHOUSE_UNAVAILABLE + "\"}}");
          assertThat(gauge(base, "tidemark_serving_clickhouse_circuit_state")).isNotEqualTo(0.0);
          assertThat(gauge(base, "tidemark_serving_gauges_age_seconds{source=\"clickhouse\"}")).isGreaterThan(4.0);
        } finally {
          load.stop();
        }
        long warnDuring = warnLines(log) - warnBefore;
        System.out.printf("ClickHouseOutageIT: ClickHouse frozen 6 s: %d scrapes of /metrics, slowest %.3f s; %d API requests by"
            + " %d clients (%s), %d WARN lines%n", scrapes, slowestScrape, load.requests(), CLIENTS, load.statuses, warnDuring);
        assertThat(slowestScrape).as("slowest /metrics while ClickHouse is frozen, seconds").isLessThan(1.0);
        assertThat(load.statuses.keySet()).as("answers while frozen").containsOnly(503);
        assertThat(load.bodies).as("what callers learn of the outage")
            .containsOnly("{\"error\":\"clickhouse_unavailable\",\"message\":\"" + ApiRoutes.CLICKHOUSE_UNAVAILABLE + "\"}");
        assertThat(load.requests()).as("the breaker answers at once, so clients get many answers").isGreaterThan(500);
        // at most one line per cause within the log interval, however many requests failed: requests and
        // gauge refreshes each timed out, unreachable or refused by the breaker, breaker opened, re-opened
        assertThat(warnDuring).isBetween(1L, 8L);

        // 2. back: the breaker's probe succeeds, answers are exact again
        signal("CONT", pid);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
            .until(() -> Http.get(base + "/api/health").status() == 200);
        assertThat(Http.get(base + TOTALS).json().get("total").asLong()).isEqualTo(8);
        assertThat(gauge(base, "tidemark_serving_clickhouse_circuit_state")).isEqualTo(0.0);
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge(base, "tidemark_serving_gauges_age_seconds{source=\"clickhouse\"}") < 2);
        assertThat(Files.readString(log)).contains("answers again: circuit breaker closed after");

        // 3. killed: connections refused, then started again the plain way
        stack.kill(Service.CLICKHOUSE);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> Http.get(base + "/api/health").status() == 503);
        long t0 = System.nanoTime();
        Http.Response fast = Http.get(base + TOTALS);
        assertThat(fast.status()).isEqualTo(503);
        assertThat((System.nanoTime() - t0) / 1e9).as("a refused query answers at once").isLessThan(1.0);
        stack.up(EnumSet.of(Service.CLICKHOUSE), (s, m) -> System.out.println("[outage stack] " + s + ": " + m));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> Http.get(base + "/api/health").status() == 200);
        assertThat(Http.get(base + TOTALS).json().get("total").asLong()).isEqualTo(8);
        serve.assertAlive();
      }
    } finally {
      signal("CONT", pid);
      stack.down();
    }
    try (var files = Files.walk(home)) { // the server's data; its log stays in target/clickhouse-outage-it
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static long clickHousePid(LocalStack stack) {
    for (ServiceStatus s : stack.status()) {
      if (s.service() == Service.CLICKHOUSE && s.pid() != null) {
        return s.pid();
      }
    }
    throw new IllegalStateException("The test's ClickHouse has no pid: " + stack.status());
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  private static long warnLines(Path log) throws IOException {
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(" WARN ")).count();
    }
  }

  private static double gauge(String base, String series) {
    for (String line : Http.get(base + "/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("No series " + series + " on /metrics");
  }

  /** {@code clients} threads requesting one URL in a loop until stopped. */
  private static final class Load {
    final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final java.util.Set<String> bodies = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool;

    private Load(int clients) {
      pool = Executors.newFixedThreadPool(clients);
    }

    static Load start(String url, int clients) {
      Load l = new Load(clients);
      for (int i = 0; i < clients; i++) {
        l.pool.submit(() -> {
          while (l.running.get()) {
            try {
              Http.Response r = Http.get(url);
              l.statuses.computeIfAbsent(r.status(), k -> new AtomicInteger()).incrementAndGet();
              l.bodies.add(r.body());
            } catch (RuntimeException e) {
              l.statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
            }
          }
        });
      }
      return l;
    }

    long requests() {
      return statuses.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    void stop() throws InterruptedException {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}
