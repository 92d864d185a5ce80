package io.tidemark.serving;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.util.List;

/**
 * Configuration of the serving layer ({@code tidemark.serving.*}). ClickHouse's address and the
 * read-only user come from {@link io.tidemark.core.config.ClickHouseOptions}.
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
          .description("Bearer token for admin endpoints (/api/admin/*), at least 16 characters; unset disables them.");

  public static final ConfigOption<String> SPEED_CONSUMER_GROUP =
      ConfigOption.stringKey("tidemark.serving.speed-consumer-group")
          .defaultValue("tidemark-speed-layer")
          .description("Kafka consumer group of the speed layer whose lag health reports (must equal tidemark.speed.consumer-group).");

  public static final ConfigOption<String> LAKE_CONSUMER_GROUP =
      ConfigOption.stringKey("tidemark.serving.lake-consumer-group")
          .defaultValue("connect-tidemark-lake")
          .description("Kafka consumer group of the lake's Connect sink whose lag health reports (connect-<tidemark.lake.connector-name>).");

  public static List<ConfigOption<?>> all() {
    return List.of(
        HOST, PORT, CACHE_TTL, CACHE_MAX_ENTRIES, MAX_RANGE, MAX_LIMIT, STALE_AFTER,
        REFRESH_INTERVAL, QUERY_TIMEOUT, ADMIN_TOKEN, SPEED_CONSUMER_GROUP, LAKE_CONSUMER_GROUP);
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
