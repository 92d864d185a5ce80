package io.tidemark.serving.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ServingOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.SqlParameters;
import io.tidemark.serving.ServingMetrics;
import io.tidemark.serving.internal.RateLimitedLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * Read-only queries against ClickHouse's HTTP interface as {@code
 * tidemark.clickhouse.readonly-user}.
 *
 * <p>Why not {@code ClickHouseSql} (client-v2): the read-only user runs with {@code readonly=1},
 * under which ClickHouse refuses any query that changes a setting, and the serving layer wants
 * nothing between it and the server beyond one HTTP request per query (this is also the baseline
 * that {@code bench serve} compares against). Parameters are still bound by the project's one
 * binder, {@link SqlParameters}: text from a request never reaches the SQL unquoted.
 *
 * <p>Every query passes a {@link CircuitBreaker}: after {@code tidemark.serving.breaker-failures}
 * consecutive failures to reach ClickHouse, queries fail at once (as {@link
 * QueryException.Kind#CIRCUIT_OPEN}) until a probe query gets an answer, so an outage costs each
 * request microseconds instead of a {@code query-timeout}. The breaker's transitions are logged
 * (at most once per {@code tidemark.serving.log-interval} for repeated re-openings).
 *
 * <p>Thread-safe; holds one {@link HttpClient} (a small connection pool).
 */
public final class ClickHouseReader implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

  private final HttpClient http;
  private final URI endpoint;
  private final String authorization;
  private final String user;
  private final String database;
  private final Duration timeout;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final CircuitBreaker breaker;
  private final RateLimitedLog log;

  /**
   * @param url ClickHouse HTTP URL ({@code http://host:8123})
   * @param registry where query timings and errors are recorded, and the breaker's state
   * @param breaker guards every query (see the class comment)
   * @param log where the breaker's transitions are written
   */
  public ClickHouseReader(
      String url, String user, String password, String database, Duration timeout, MeterRegistry registry,
      CircuitBreaker breaker, RateLimitedLog log) {
    this.breaker = breaker;
    this.log = log;
    Gauge.builder(ServingMetrics.CLICKHOUSE_CIRCUIT_STATE, breaker, b -> b.state().ordinal())
        .description("ClickHouse circuit breaker: 0 closed, 1 open (queries fail at once), 2 half-open (one probe out)")
        .register(registry);
    this.endpoint = URI.create(url.endsWith("/") ? url : url + "/");
    this.user = user;
    this.database = database;
    this.timeout = timeout;
    this.registry = registry;
    this.authorization =
        "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
  }

  /**
   * A reader for the configured server, database and read-only user, with the configured query
   * timeout and circuit breaker. Does not contact the server.
   */
  public static ClickHouseReader fromConfig(TidemarkConfig cfg, MeterRegistry registry, RateLimitedLog log) {
    return new ClickHouseReader(
        ClickHouseClients.url(cfg),
        cfg.get(ClickHouseOptions.READONLY_USER),
        cfg.get(ClickHouseOptions.READONLY_PASSWORD),
        ClickHouseClients.database(cfg),
        cfg.get(ServingOptions.QUERY_TIMEOUT),
        registry,
        new CircuitBreaker(cfg.get(ServingOptions.BREAKER_FAILURES), cfg.get(ServingOptions.BREAKER_OPEN_TIME)),
        log);
  }

  /** Tidemark's database, validated as an identifier. */
  public String database() {
    return database;
  }

  /** {@code database.table}, for an {@code {t:Identifier}} parameter. */
  public String table(String table) {
    return database + "." + table;
  }

  /**
   * Runs one SELECT with bound parameters and returns its rows (JSONEachRow; 64-bit integers
   * arrive as JSON strings, read them with {@link JsonNode#asLong()}).
   *
   * @param name the query's name, the {@code query} tag of its metrics
   * @throws QueryException when the server is unreachable, slow or rejects the query
   * @throws IllegalArgumentException when a parameter does not bind (a bug, not user input)
   */
  public List<JsonNode> query(String name, String sql, Map<String, ?> params) {
    String bound = SqlParameters.bind(sql, params) + "\nFORMAT JSONEachRow";
    if (!breaker.tryAcquire()) {
      error(name, "circuit_open");
      throw new QueryException(
          "ClickHouse at " + endpoint + " is not asked (query " + name + "): the circuit breaker is open after "
              + breaker.consecutiveFailures() + " consecutive failures; next probe in " + breaker.untilProbe().toMillis() + " ms",
          QueryException.Kind.CIRCUIT_OPEN, -1, null);
    }
    boolean answered = false;
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(bound, StandardCharsets.UTF_8))
            .build();
    Timer.Sample sample = Timer.start(registry);
    try {
      HttpResponse<InputStream> response = send(request);
      answered = true;
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          String text = new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
          int code = code(text);
          error(name, "rejected");
          throw new QueryException(
              "ClickHouse at " + endpoint + " rejected query " + name + " as user '" + user + "': " + firstLine(text),
              QueryException.Kind.REJECTED, code, null);
        }
        List<JsonNode> rows = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
          if (!line.isBlank()) {
            rows.add(JSON.readTree(line));
          }
        }
        return rows;
      }
    } catch (HttpTimeoutException e) {
      error(name, "unavailable");
      throw new QueryException(
          "ClickHouse at " + endpoint + " did not answer query " + name + " within " + timeout.toMillis() + " ms",
          QueryException.Kind.TIMEOUT, -1, e);
    } catch (IOException e) {
      if (answered) {
        // the server answered and the body broke off: it is up, so this is no breaker failure
        error(name, "unavailable");
        throw new QueryException("ClickHouse at " + endpoint + " broke off its answer to query " + name + ": " + e,
            QueryException.Kind.UNREACHABLE, -1, e);
      }
      error(name, "unavailable");
      throw new QueryException(
          "Cannot reach ClickHouse at " + endpoint + ": " + e + " (check " + ClickHouseOptions.URL.key() + ")",
          QueryException.Kind.UNREACHABLE, -1, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryException("Interrupted while querying ClickHouse at " + endpoint, QueryException.Kind.UNREACHABLE, -1, e);
    } finally {
      report(answered);
      sample.stop(timers.computeIfAbsent(name, n ->
          Timer.builder(ServingMetrics.CLICKHOUSE_QUERIES)
              .description("ClickHouse queries of the serving layer")
              .tag(ServingMetrics.TAG_QUERY, n)
              .publishPercentileHistogram()
              .register(registry)));
    }
  }

  /**
   * Sends once, and once more if the connection broke before an answer: ClickHouse closes idle
   * keep-alive connections after a few seconds ({@code keep_alive_timeout}, 3 s by default), and
   * a pooled connection can be closed just as a request goes out. Every query here is a SELECT,
   * so repeating it is safe. Timeouts are not repeated.
   */
  private HttpResponse<InputStream> send(HttpRequest request) throws IOException, InterruptedException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }
  }

  /** Tells the breaker how the query went (exactly once per query let through) and logs what changed. */
  private void report(boolean answered) {
    CircuitBreaker.Transition t = answered ? breaker.onSuccess() : breaker.onFailure();
    switch (t) {
      case OPENED -> log.warn("breaker-opened", "ClickHouse at " + endpoint + " failed " + breaker.consecutiveFailures()
          + " times in a row: circuit breaker open, queries fail at once for the next "
          + breaker.untilProbe().toMillis() + " ms, then one probe query");
      case REOPENED -> log.warn("breaker-reopened", "ClickHouse at " + endpoint
          + " still fails: the probe query got no answer, circuit breaker open again");
      case CLOSED -> LoggerFactory.getLogger(ClickHouseReader.class).info(
          "ClickHouse at {} answers again: circuit breaker closed after {} s open, {} queries refused meanwhile",
          endpoint, breaker.sinceFirstOpened().toSeconds(), breaker.refused());
      case NONE -> { }
    }
  }

  private void error(String name, String reason) {
    Counter.builder(ServingMetrics.CLICKHOUSE_QUERY_ERRORS)
        .description("Failed ClickHouse queries of the serving layer")
        .tag(ServingMetrics.TAG_QUERY, name)
        .tag(ServingMetrics.TAG_REASON, reason)
        .register(registry)
        .increment();
  }

  private static int code(String text) {
    Matcher m = CODE.matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 300 ? line : line.substring(0, 297) + "...";
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() on Java 17; its pool dies with the client.
  }
}
