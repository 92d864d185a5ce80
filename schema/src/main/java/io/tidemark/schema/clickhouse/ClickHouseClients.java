package io.tidemark.schema.clickhouse;

import com.clickhouse.client.api.Client;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.TidemarkConfig;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * Builds client-v2 {@link Client}s from Tidemark configuration, the one way every layer connects
 * to ClickHouse.
 *
 * <p>Compression is switched off in both directions because the ClickHouse 18.16 server this
 * project runs cannot read client-v2's compressed requests; the HTTP interface is used for
 * everything. The client's default database is {@code default}, not Tidemark's database, because
 * that database may not exist until {@code migrate} has run; Tidemark's SQL always names its
 * tables as {@code <database>.<table>}.
 *
 * <pre>{@code
 * try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
 *   sql.queryRows("SELECT count() AS n FROM tidemark.user_page_counts", Map.of());
 * }
 * }</pre>
 */
public final class ClickHouseClients {
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private ClickHouseClients() {}

  /**
   * A client for {@code tidemark.clickhouse.url} as {@code tidemark.clickhouse.user}. Does not
   * contact the server; use {@link #connect(TidemarkConfig)} to fail fast on a bad endpoint.
   *
   * @throws ConfigException when the URL is missing or not an http(s) URL
   */
  public static Client newClient(TidemarkConfig config) {
    return newClient(url(config), config.get(ClickHouseOptions.USER), config.get(ClickHouseOptions.PASSWORD));
  }

  /** A client for an explicit endpoint and user, with the same settings as {@link #newClient(TidemarkConfig)}. */
  public static Client newClient(String url, String user, String password) {
    return builder(url, user, password)
        .setConnectTimeout(5, ChronoUnit.SECONDS)
        .setSocketTimeout(10, ChronoUnit.MINUTES)
        .build();
  }

  /**
   * A client whose caller does its own retrying and bounds each request (the speed layer's sink
   * and preflight): the same settings as {@link #newClient(String, String, String)}, with these
   * timeouts and none of the client's own retries.
   */
  public static Client newClient(String url, String user, String password, Duration connectTimeout,
      Duration socketTimeout) {
    return builder(url, user, password)
        .setConnectTimeout(connectTimeout.toMillis())
        .setSocketTimeout(socketTimeout.toMillis())
        .setMaxRetries(0)
        .build();
  }

  /** The settings every Tidemark client shares: no compression (18.16), database {@code default}. */
  private static Client.Builder builder(String url, String user, String password) {
    return new Client.Builder()
        .addEndpoint(url)
        .setUsername(user)
        .setPassword(password == null ? "" : password)
        .setDefaultDatabase("default")
        .compressServerResponse(false)
        .compressClientRequest(false);
  }

  /**
   * A {@link ClickHouseSql} on Tidemark's configured server, checked with one round trip.
   *
   * @throws ConfigException when the URL or database name is invalid
   * @throws io.tidemark.schema.StoreUnavailableException when the server cannot be reached
   * @throws io.tidemark.schema.StoreAccessDeniedException when the credentials are refused
   */
  public static ClickHouseSql connect(TidemarkConfig config) {
    String url = url(config);
    String user = config.get(ClickHouseOptions.USER);
    ClickHouseSql sql =
        new ClickHouseSql(newClient(url, user, config.get(ClickHouseOptions.PASSWORD)), url, user,
            config.get(ClickHouseOptions.PASSWORD), database(config));
    try {
      sql.verifyConnection();
      return sql;
    } catch (RuntimeException e) {
      sql.close();
      throw e;
    }
  }

  /**
   * The configured ClickHouse URL, validated.
   *
   * @throws ConfigException when unset or not {@code http(s)://host[:port]}
   */
  public static String url(TidemarkConfig config) {
    String url = config.require(ClickHouseOptions.URL).trim();
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme();
      if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null) {
        return url;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new ConfigException(
        "Invalid value '" + url + "' for " + ClickHouseOptions.URL.key() + " ("
            + ClickHouseOptions.URL.envName() + "): expected http://host:port");
  }

  /**
   * The configured database name, validated as a plain identifier (it is written into DDL).
   *
   * @throws ConfigException when it is not {@code [A-Za-z_][A-Za-z0-9_]*}
   */
  public static String database(TidemarkConfig config) {
    String db = config.get(ClickHouseOptions.DATABASE).trim();
    if (!DATABASE_NAME.matcher(db).matches()) {
      throw new ConfigException(
          "Invalid value '" + db + "' for " + ClickHouseOptions.DATABASE.key() + " ("
              + ClickHouseOptions.DATABASE.envName() + "): expected letters, digits and underscores");
    }
    return db;
  }
}
