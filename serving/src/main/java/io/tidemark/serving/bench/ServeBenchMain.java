package io.tidemark.serving.bench;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.Windows;
import io.tidemark.core.report.BenchmarkReport;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.schema.clickhouse.SqlParameters;
import io.tidemark.serving.ServingMain;
import io.tidemark.core.config.ServingOptions;
import io.tidemark.serving.ServingServer;
import io.tidemark.serving.query.ServingQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark bench serve}: dashboard API requests per second and p99 latency at N concurrent
 * clients on loopback, against the same query sent straight to ClickHouse's HTTP interface (as
 * the read-only user) in the same run. Writes its section of docs/benchmarks.md.
 *
 * <p>Works in a database of its own ({@code <tidemark.clickhouse.database>_bench}), created,
 * filled with a known hour of page counts and dropped again with the writer user; the serving
 * side runs in this JVM on a free port. Bounded in time: 3 x (runs + 1) x duration.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serving API vs the same query straight to ClickHouse HTTP, N concurrent loopback clients; writes docs/benchmarks.md.")
public final class ServeBenchMain implements Callable<Integer> {
  @Option(names = "--config", description = "Properties file with tidemark.* keys (default: TIDEMARK_CONFIG).")
  Path config;

  @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds per measured run and side (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--runs", defaultValue = "3", description = "Alternating runs per side; medians are reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--report", description = "Report file (default: docs/benchmarks.md under TIDEMARK_HOME, else the working directory).")
  Path report;

  @Option(names = "--pages", defaultValue = "200", description = "Distinct pages per minute in the generated hour (default: ${DEFAULT-VALUE}).")
  int pages;

  /** One side's figures. */
  record Result(double requestsPerSecond, double p50Millis, double p99Millis, long errors) {}

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || seconds < 1 || runs < 1 || pages < 1) {
      throw new IllegalArgumentException("--clients, --duration, --runs and --pages must be at least 1");
    }
    String loadAtStart = BenchmarkReport.loadAverage();
    TidemarkConfig base =
        TidemarkConfig.load(config, System.getenv(), Map.of(), ServingMain.options()).validate(ServingMain.options());
    String db = ClickHouseClients.database(base) + "_bench";
    TidemarkConfig cfg = base.with(ClickHouseOptions.DATABASE, db).with(ServingOptions.PORT, 0);
    long now = Windows.windowStart(System.currentTimeMillis());
    try (ClickHouseSql writer = ClickHouseClients.connect(cfg)) {
      String version = writer.verifyConnection();
      writer.execute("DROP DATABASE IF EXISTS " + db);
      new SchemaMigrator(writer).migrate();
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int m = 0; m < 60; m++) {
        Instant w = Instant.ofEpochMilli(now - m * Windows.SIZE_MS);
        for (int p = 0; p < pages; p++) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("page_url", "/page/" + p);
          r.put("window_start", w);
          r.put("count", 1 + (p * 7 + m) % 50);
          r.put("version", 1);
          r.put("source", "speed");
          r.put("written_at", w.plusSeconds(5));
          rows.add(r);
        }
      }
      writer.insertJsonEachRow(db + "." + CountTable.PAGE_VIEW_COUNTS.storeTable(), rows);
      try (ServingServer server = ServingServer.start(cfg);
          ServingServer uncached = ServingServer.start(cfg.with(ServingOptions.CACHE_TTL, Duration.ZERO))) {
        Instant to = Instant.ofEpochMilli(Windows.windowEnd(now));
        Instant from = to.minus(Duration.ofMinutes(60));
        String sql = SqlParameters.bind(ServingQueries.TOTALS,
            Map.of("t", db + "." + CountTable.PAGE_VIEW_COUNTS.storeTable(), "from", from, "to", to)) + "\nFORMAT JSONEachRow";
        String auth = "Basic " + Base64.getEncoder().encodeToString((cfg.get(ClickHouseOptions.READONLY_USER) + ":"
            + cfg.get(ClickHouseOptions.READONLY_PASSWORD)).getBytes(StandardCharsets.UTF_8));
        String chUrl = ClickHouseClients.url(cfg);
        HttpRequest direct = HttpRequest.newBuilder(URI.create(chUrl.endsWith("/") ? chUrl : chUrl + "/"))
            .header("Authorization", auth).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8)).build();
        HttpRequest api = HttpRequest.newBuilder(URI.create(server.url() + "/api/totals?minutes=60"))
            .timeout(Duration.ofSeconds(30)).GET().build();

        HttpRequest apiUncached = HttpRequest.newBuilder(URI.create(uncached.url() + "/api/totals?minutes=60"))
            .timeout(Duration.ofSeconds(30)).GET().build();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Warm-up: JIT, connection pools, ClickHouse's caches.
        measure(client, direct, Math.min(3, seconds));
        measure(client, api, Math.min(3, seconds));
        measure(client, apiUncached, Math.min(3, seconds));
        List<Result> baseline = new ArrayList<>();
        List<Result> serving = new ArrayList<>();
        List<Result> servingUncached = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          baseline.add(measure(client, direct, seconds));
          serving.add(measure(client, api, seconds));
          servingUncached.add(measure(client, apiUncached, seconds));
          System.out.printf("run %d: ClickHouse HTTP %,.0f req/s p99 %.1f ms; serving API %,.0f req/s p99 %.1f ms; cache off %,.0f req/s p99 %.1f ms%n", i + 1,
              baseline.get(i).requestsPerSecond(), baseline.get(i).p99Millis(), serving.get(i).requestsPerSecond(), serving.get(i).p99Millis(),
              servingUncached.get(i).requestsPerSecond(), servingUncached.get(i).p99Millis());
        }
        Result b = median(baseline);
        Result s = median(serving);
        Result u = median(servingUncached);
        boolean rateMet = s.requestsPerSecond() >= b.requestsPerSecond();
        boolean p99Met = s.p99Millis() <= 50.0;
        String targets = String.format("at least 1.0x requests/s: %s (%.2fx); p99 at most 50 ms: %s (%.1f ms)",
            rateMet ? "met" : "missed", s.requestsPerSecond() / b.requestsPerSecond(), p99Met ? "met" : "missed", s.p99Millis());
        String md = String.format("""
            ## serve: dashboard API vs the same query straight to ClickHouse HTTP

            %d concurrent clients on loopback (one shared java.net.http client), %d s per run and side, one
            warm-up round, %d alternating runs, medians. Query: events per minute of the last hour
            (`GET /api/totals?minutes=60`, %d pages x 60 windows in the store) and, as the baseline, the
            very SQL the API runs (`ServingQueries.TOTALS`, bound) POSTed to ClickHouse %s as the
            read-only user. The API answers through its response cache (tidemark.serving.cache-ttl = %s).

            | Measure | Baseline (ClickHouse HTTP) | Serving API | Ratio | Serving API, cache off | Ratio |
            |---|---|---|---|---|---|
            | requests/s | %,.0f | %,.0f | %.2fx | %,.0f | %.2fx |
            | p50 latency | %.1f ms | %.1f ms | %.2fx | %.1f ms | %.2fx |
            | p99 latency | %.1f ms | %.1f ms | %.2fx | %.1f ms | %.2fx |
            | errors | %d | %d | | %d | |

            The cache-off column is the API's own overhead (validation, a second HTTP hop, JSON
            re-encoding, filling empty minutes) over the same query; the cached column is what
            dashboards get, since every open dashboard asks the same few questions every few seconds.

            Targets (issue 7), with the cache: %s.

            Run at %s, load average %s at the start and %s at the end.
            """,
            clients, seconds, runs, pages, version, cfg.get(ServingOptions.CACHE_TTL).toMillis() + " ms",
            b.requestsPerSecond(), s.requestsPerSecond(), s.requestsPerSecond() / b.requestsPerSecond(),
            u.requestsPerSecond(), u.requestsPerSecond() / b.requestsPerSecond(),
            b.p50Millis(), s.p50Millis(), s.p50Millis() / b.p50Millis(), u.p50Millis(), u.p50Millis() / b.p50Millis(),
            b.p99Millis(), s.p99Millis(), s.p99Millis() / b.p99Millis(), u.p99Millis(), u.p99Millis() / b.p99Millis(),
            b.errors(), s.errors(), u.errors(), targets, Instant.now(), loadAtStart, BenchmarkReport.loadAverage());
        Path file = report != null ? report : defaultReport();
        BenchmarkReport.writeSection(file, "serve", md);
        System.out.printf("serving API %,.0f req/s (p99 %.1f ms) = %.2fx ClickHouse HTTP %,.0f req/s (p99 %.1f ms); targets: %s;"
                + " load average %s; written to %s%n",
            s.requestsPerSecond(), s.p99Millis(), s.requestsPerSecond() / b.requestsPerSecond(), b.requestsPerSecond(), b.p99Millis(),
            targets, BenchmarkReport.loadAverage(), file);
      } finally {
        writer.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
    return 0;
  }

  private Result measure(HttpClient client, HttpRequest request, int durationSeconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
    AtomicLong errors = new AtomicLong();
    List<Future<long[]>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      futures.add(pool.submit(() -> {
        long[] lat = new long[1024];
        int n = 0;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
          long t = System.nanoTime() - t0;
          if (r.statusCode() != 200) {
            errors.incrementAndGet();
          }
          if (n == lat.length) {
            lat = Arrays.copyOf(lat, n * 2);
          }
          lat[n++] = t;
        }
        return Arrays.copyOf(lat, n);
      }));
    }
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : futures) {
      all.add(f.get());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    int total = all.stream().mapToInt(a -> a.length).sum();
    long[] merged = new long[total];
    int i = 0;
    for (long[] a : all) {
      System.arraycopy(a, 0, merged, i, a.length);
      i += a.length;
    }
    Arrays.sort(merged);
    return new Result(total / elapsed, percentile(merged, 0.50) / 1e6, percentile(merged, 0.99) / 1e6, errors.get());
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static Result median(List<Result> results) {
    List<Result> byRate = new ArrayList<>(results);
    byRate.sort((a, b) -> Double.compare(a.requestsPerSecond(), b.requestsPerSecond()));
    double[] p50 = results.stream().mapToDouble(Result::p50Millis).sorted().toArray();
    double[] p99 = results.stream().mapToDouble(Result::p99Millis).sorted().toArray();
    long errors = results.stream().mapToLong(Result::errors).sum();
    return new Result(byRate.get(byRate.size() / 2).requestsPerSecond(), p50[p50.length / 2], p99[p99.length / 2], errors);
  }

  private static Path defaultReport() {
    String home = System.getenv("TIDEMARK_HOME");
    return (home != null && !home.isBlank() ? Path.of(home) : Path.of("")).toAbsolutePath().resolve("docs/benchmarks.md");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command with its error handling: a failure is one line naming the cause (exit 2 for bad
   * options or configuration, 1 otherwise), not a stack trace.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ServeBenchMain());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      commandLine.getErr().println("tidemark bench serve: " + message);
      return cause instanceof IllegalArgumentException || cause instanceof io.tidemark.core.config.ConfigException ? 2 : 1;
    });
    return cl;
  }
}
