package io.tidemark.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Configuration of the serving layer ({@code tidemark.serving.*}). ClickHouse's address and the
 * read-only user come from {@link ClickHouseOptions}.
 *
 * <p>Declared in {@code core}, not in the serving module, because two processes read these keys:
 * the serving JVM, and the CLI, whose {@code ./tidemark config} lists and validates them (a typo
 * such as {@code tidemark.serving.prot} fails there as it does in {@code serve}) and whose demo
 * prints the dashboard's URL. The CLI runs the serving layer in a child JVM and never loads it.
 */
public final class ServingOptions {
  private ServingOptions() {}

  public static final ConfigOption<String> HOST =
      ConfigOption.stringKey("tidemark.serving.host")
          .defaultValue("127.0.0.1")
          .description("Address the HTTP server binds to (0.0.0.0 for every interface).");

  public static final ConfigOption<Integer> PORT =
      ConfigOption.intKey("tidemark.serving.port")
          .defaultValue(8088)
          .description("HTTP port of the API, dashboard and /metrics (0 picks a free port).");

  public static final ConfigOption<Duration> CACHE_TTL =
      ConfigOption.durationKey("tidemark.serving.cache-ttl")
          .defaultValue(Duration.ofSeconds(2))
          .description("How long an API answer is reused for identical requests (0s disables the cache).");

  public static final ConfigOption<Integer> CACHE_MAX_ENTRIES =
      ConfigOption.intKey("tidemark.serving.cache-max-entries")
          .defaultValue(1000)
          .description("Most distinct requests the in-process cache holds at once.");

  public static final ConfigOption<Duration> MAX_RANGE =
      ConfigOption.durationKey("tidemark.serving.max-range")
          .defaultValue(Duration.ofDays(1))
          .description("Longest time range one request may ask for (from/to, or minutes).");

  public static final ConfigOption<Integer> MAX_LIMIT =
      ConfigOption.intKey("tidemark.serving.max-limit")
          .defaultValue(1000)
          .description("Largest number of rows one request may ask for (limit).");

  public static final ConfigOption<Duration> STALE_AFTER =
      ConfigOption.durationKey("tidemark.serving.stale-after")
          .defaultValue(Duration.ofMinutes(2))
          .description("Freshness lag (wall clock minus newest window written) beyond which the speed layer counts as stalled.");

  public static final ConfigOption<Duration> REFRESH_INTERVAL =
      ConfigOption.durationKey("tidemark.serving.refresh-interval")
          .defaultValue(Duration.ofSeconds(3))
          .description("How often the dashboard polls the API for its live views.");

  public static final ConfigOption<Duration> QUERY_TIMEOUT =
      ConfigOption.durationKey("tidemark.serving.query-timeout")
          .defaultValue(Duration.ofSeconds(10))
          .description("How long one ClickHouse query may take before the request fails with 503.");

  public static final ConfigOption<String> ADMIN_TOKEN =
      ConfigOption.stringKey("tidemark.serving.admin-token")
          .secret()
          .description("Bearer token for admin endpoints (/api/admin/*), at least 16 characters; unset disables them (set but blank fails at start).");

  public static final ConfigOption<String> SPEED_CONSUMER_GROUP =
      ConfigOption.stringKey("tidemark.serving.speed-consumer-group")
          .defaultValue("tidemark-speed-layer")
          .description("Kafka consumer group of the speed layer whose lag health reports (must equal tidemark.speed.consumer-group).");

  public static final ConfigOption<String> LAKE_CONSUMER_GROUP =
      ConfigOption.stringKey("tidemark.serving.lake-consumer-group")
          .defaultValue("connect-tidemark-lake")
          .description("Kafka consumer group of the lake's Connect sink whose lag health reports (connect-<tidemark.lake.connector-name>).");

  public static final ConfigOption<Duration> METRICS_REFRESH_INTERVAL =
      ConfigOption.durationKey("tidemark.serving.metrics-refresh-interval")
          .defaultValue(Duration.ofSeconds(5))
          .description("How often a background thread refreshes the gauges read from ClickHouse and Kafka (freshness, drift, consumer lag); /metrics answers from the last values and exports their age.");

  public static final ConfigOption<Integer> BREAKER_FAILURES =
      ConfigOption.intKey("tidemark.serving.breaker-failures")
          .defaultValue(3)
          .description("Consecutive ClickHouse failures (unreachable, or no answer within query-timeout) that open the circuit breaker; while open, queries fail at once with 503.");

  public static final ConfigOption<Duration> BREAKER_OPEN_TIME =
      ConfigOption.durationKey("tidemark.serving.breaker-open-time")
          .defaultValue(Duration.ofSeconds(5))
          .description("How long the open circuit breaker fails ClickHouse queries at once before letting one probe query through (half-open).");

  public static final ConfigOption<Duration> LOG_INTERVAL =
      ConfigOption.durationKey("tidemark.serving.log-interval")
          .defaultValue(Duration.ofSeconds(10))
          .description("At most one WARN line per cause (ClickHouse unreachable, timed out, breaker open, ...) per interval; the lines held back are counted in the next one (0s logs every failure).");

  public static final ConfigOption<String> ALLOWED_HOSTS =
      ConfigOption.stringKey("tidemark.serving.allowed-hosts")
          .description("Host header names accepted besides localhost, 127.0.0.1, [::1] and tidemark.serving.host, comma-separated (* accepts any); other hosts get 403, which keeps DNS-rebinding pages out.");

  public static List<ConfigOption<?>> all() {
    return List.of(
        HOST, PORT, CACHE_TTL, CACHE_MAX_ENTRIES, MAX_RANGE, MAX_LIMIT, STALE_AFTER,
        REFRESH_INTERVAL, QUERY_TIMEOUT, ADMIN_TOKEN, SPEED_CONSUMER_GROUP, LAKE_CONSUMER_GROUP,
        METRICS_REFRESH_INTERVAL, BREAKER_FAILURES, BREAKER_OPEN_TIME, LOG_INTERVAL, ALLOWED_HOSTS);
  }

  /**
   * The host names (lower case, without port; IPv6 in brackets) whose {@code Host} header the
   * server answers: the defaults, {@link #HOST} unless it is a wildcard address, and {@link
   * #ALLOWED_HOSTS}. Contains {@code *} when any host is accepted.
   */
  public static Set<String> allowedHosts(TidemarkConfig cfg) {
    Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
    String bind = cfg.get(HOST).trim().toLowerCase(Locale.ROOT);
    if (!bind.isEmpty() && !bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) {
      hosts.add(bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind);
    }
    hosts.addAll(extraHosts(cfg));
    return hosts;
  }

  private static List<String> extraHosts(TidemarkConfig cfg) {
    List<String> out = new ArrayList<>();
    String raw = cfg.get(ALLOWED_HOSTS);
    if (raw == null) {
      return out;
    }
    for (String h : raw.split(",")) {
      String v = h.trim().toLowerCase(Locale.ROOT);
      if (!v.isEmpty()) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * Cross-field and range rules, checked at start-up.
   *
   * @throws ConfigException naming the key of the first value out of range
   */
  public static void validate(TidemarkConfig cfg) {
    int port = cfg.get(PORT);
    if (port < 0 || port > 65_535) {
      throw invalid(PORT, port, "a port in 0..65535");
    }
    if (cfg.get(CACHE_TTL).isNegative()) {
      throw invalid(CACHE_TTL, cfg.get(CACHE_TTL), "a duration of 0s or more");
    }
    if (cfg.get(CACHE_MAX_ENTRIES) < 1) {
      throw invalid(CACHE_MAX_ENTRIES, cfg.get(CACHE_MAX_ENTRIES), "at least 1");
    }
    if (cfg.get(MAX_RANGE).compareTo(Duration.ofMinutes(1)) < 0 || cfg.get(MAX_RANGE).compareTo(Duration.ofDays(366)) > 0) {
      throw invalid(MAX_RANGE, cfg.get(MAX_RANGE), "between 1m and 366d");
    }
    if (cfg.get(MAX_LIMIT) < 1 || cfg.get(MAX_LIMIT) > 100_000) {
      throw invalid(MAX_LIMIT, cfg.get(MAX_LIMIT), "between 1 and 100000");
    }
    if (cfg.get(STALE_AFTER).compareTo(Duration.ofSeconds(1)) < 0) {
      throw invalid(STALE_AFTER, cfg.get(STALE_AFTER), "at least 1s");
    }
    if (cfg.get(REFRESH_INTERVAL).compareTo(Duration.ofMillis(200)) < 0) {
      throw invalid(REFRESH_INTERVAL, cfg.get(REFRESH_INTERVAL), "at least 200ms");
    }
    if (cfg.get(QUERY_TIMEOUT).compareTo(Duration.ofMillis(100)) < 0) {
      throw invalid(QUERY_TIMEOUT, cfg.get(QUERY_TIMEOUT), "at least 100ms");
    }
    if (cfg.get(METRICS_REFRESH_INTERVAL).compareTo(Duration.ofMillis(100)) < 0) {
      throw invalid(METRICS_REFRESH_INTERVAL, cfg.get(METRICS_REFRESH_INTERVAL), "at least 100ms");
    }
    if (cfg.get(BREAKER_FAILURES) < 1 || cfg.get(BREAKER_FAILURES) > 1000) {
      throw invalid(BREAKER_FAILURES, cfg.get(BREAKER_FAILURES), "between 1 and 1000");
    }
    if (cfg.get(BREAKER_OPEN_TIME).compareTo(Duration.ofMillis(100)) < 0) {
      throw invalid(BREAKER_OPEN_TIME, cfg.get(BREAKER_OPEN_TIME), "at least 100ms");
    }
    if (cfg.get(LOG_INTERVAL).isNegative()) {
      throw invalid(LOG_INTERVAL, cfg.get(LOG_INTERVAL), "a duration of 0s or more");
    }
    for (String h : extraHosts(cfg)) {
      if (!h.equals("*") && !h.matches("[a-z0-9.-]+|\\[[0-9a-f:.]+]")) {
        throw invalid(ALLOWED_HOSTS, cfg.get(ALLOWED_HOSTS),
            "host names or addresses without port, comma-separated ([::1] for IPv6), or *; '" + h + "' is not one");
      }
    }
    String rawToken = cfg.explicitValues().get(ADMIN_TOKEN.key());
    if (rawToken != null && rawToken.isBlank()) {
      throw new ConfigException(
          ADMIN_TOKEN.key() + " (" + ADMIN_TOKEN.envName() + ") is set but blank: give a token of at least 16"
              + " characters, or remove the key to disable the admin endpoints");
    }
    String token = cfg.get(ADMIN_TOKEN);
    if (token != null && token.length() < 16) {
      throw new ConfigException(
          ADMIN_TOKEN.key() + " (" + ADMIN_TOKEN.envName() + ") must be at least 16 characters when set");
    }
  }

  private static ConfigException invalid(ConfigOption<?> option, Object value, String expected) {
    return new ConfigException(
        "Invalid value '" + option.format(value) + "' for " + option.key() + " (" + option.envName()
            + "): expected " + expected);
  }
}
