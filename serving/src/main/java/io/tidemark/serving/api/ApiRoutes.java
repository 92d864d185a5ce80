package io.tidemark.serving.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import io.tidemark.serving.drift.DriftQueries;
import io.tidemark.serving.health.ConsumerLag;
import io.tidemark.serving.query.QueryException;
import io.tidemark.serving.query.ResponseCache;
import io.tidemark.serving.query.ServingQueries;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The JSON API: one handler per route, each validating its parameters with {@link Params} before
 * anything reaches ClickHouse. {@link #routes()} is the single list the server registers and the
 * OpenAPI test checks against {@code openapi.json}.
 */
public final class ApiRoutes {
  /** JSON of every answer: snake_case fields, as in the OpenAPI spec. */
  public static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /**
   * One HTTP route of the API.
   *
   * @param queryParams the query parameters it accepts (any other is a 400); path parameters are
   *     in {@code path}
   */
  public record Route(HandlerType method, String path, Set<String> queryParams, io.javalin.http.Handler handler) {}

  private static final Set<String> USER_COUNTS = Set.of("user_id", "from", "to", "limit");
  private static final Set<String> PAGE_COUNTS = Set.of("page_url", "from", "to", "limit");
  private static final Set<String> TOTALS = Set.of("minutes", "from", "to");
  private static final Set<String> TOP_PAGES = Set.of("minutes", "limit");
  private static final Set<String> DRIFT_LIST = Set.of("days", "limit");
  private static final Set<String> DRIFT_DAY = Set.of("limit");
  private static final Set<String> NONE = Set.of();

  /** Bounds and settings the handlers need; see {@code ServingOptions}. */
  public record Limits(
      Duration maxRange, int maxLimit, Duration staleAfter, Duration refreshInterval, String adminToken) {}

  /**
   * Consumer lag of the speed layer's and the lake's groups, read at most every 5 s and shared by
   * /api/health and the lag gauges; {@code lag} is null when Kafka is not configured.
   */
  public static final class LagSource {
    private final ConsumerLag lag;
    private final String speedGroup;
    private final String lakeGroup;
    private long readAt = Long.MIN_VALUE;
    private Map<String, ConsumerLag.Lag> last;

    public LagSource(ConsumerLag lag, String speedGroup, String lakeGroup) {
      this.lag = lag;
      this.speedGroup = speedGroup;
      this.lakeGroup = lakeGroup;
    }

    /** Whether a Kafka broker is configured (else every lag is "unknown" by design, not by failure). */
    public boolean configured() {
      return lag != null;
    }

    public String speedGroup() {
      return speedGroup;
    }

    public String lakeGroup() {
      return lakeGroup;
    }

    /** The group's lag as of at most 5 s ago. */
    public synchronized ConsumerLag.Lag of(String group) {
      if (lag == null) {
        return new ConsumerLag.Lag(group, null, "unknown", null, 0,
            "No Kafka configured (tidemark.kafka.bootstrap): consumer lag unknown");
      }
      long now = System.nanoTime();
      if (last == null || now - readAt > 5_000_000_000L) {
        last = lag.lags(List.of(speedGroup, lakeGroup));
        readAt = System.nanoTime();
      }
      return last.get(group);
    }
  }

  private final ServingQueries counts;
  private final DriftQueries drift;
  private final ResponseCache cache;
  private final Limits limits;
  private final LagSource lagSource;

  public ApiRoutes(ServingQueries counts, DriftQueries drift, ResponseCache cache, Limits limits, LagSource lagSource) {
    this.counts = counts;
    this.drift = drift;
    this.cache = cache;
    this.limits = limits;
    this.lagSource = lagSource;
  }

  public List<Route> routes() {
    return List.of(
        new Route(HandlerType.GET, "/api/counts/user", USER_COUNTS, this::userCounts),
        new Route(HandlerType.GET, "/api/counts/page", PAGE_COUNTS, this::pageCounts),
        new Route(HandlerType.GET, "/api/totals", TOTALS, this::totals),
        new Route(HandlerType.GET, "/api/top-pages", TOP_PAGES, this::topPages),
        new Route(HandlerType.GET, "/api/freshness", NONE, this::freshness),
        new Route(HandlerType.GET, "/api/health", NONE, this::health),
        new Route(HandlerType.GET, "/api/drift/reports", DRIFT_LIST, this::driftList),
        new Route(HandlerType.GET, "/api/drift/reports/{day}", DRIFT_DAY, this::driftDay),
        new Route(HandlerType.GET, "/api/dashboard-config", NONE, this::dashboardConfig),
        new Route(HandlerType.POST, "/api/admin/cache/clear", NONE, this::clearCache));
  }

  /** The request's query parameters, strictly decoded ({@link QueryString}) and checked against {@code allowed}. */
  private static Params params(Context ctx, Set<String> allowed) {
    return new Params(QueryString.parse(ctx.queryString()), allowed);
  }

  private int maxMinutes() {
    return (int) Math.min(Integer.MAX_VALUE, limits.maxRange().toMinutes());
  }

  void userCounts(Context ctx) {
    keyCounts(ctx, CountMetric.USER, USER_COUNTS);
  }

  void pageCounts(Context ctx) {
    keyCounts(ctx, CountMetric.PAGE, PAGE_COUNTS);
  }

  private void keyCounts(Context ctx, CountMetric metric, Set<String> allowed) {
    Params p = params(ctx, allowed);
    String key = metric == CountMetric.USER ? p.userId() : p.pageUrl();
    Instant[] range = p.range(limits.maxRange());
    int limit = p.integer("limit", 1, limits.maxLimit(), limits.maxLimit());
    respond(ctx, "counts/" + metric + "|" + key + "|" + range[0] + "|" + range[1] + "|" + limit,
        () -> counts.keyCounts(metric, key, range[0], range[1], limit));
  }

  void totals(Context ctx) {
    Params p = params(ctx, TOTALS);
    Instant from;
    Instant to;
    if (p.has("minutes")) {
      if (p.has("from") || p.has("to")) {
        throw new BadRequestException("Give either 'minutes' or 'from' and 'to', not both");
      }
      int minutes = p.integer("minutes", 1, maxMinutes(), 60);
      to = Instant.ofEpochMilli(Windows.windowEnd(Windows.windowStart(counts.clock().millis())));
      from = to.minus(Duration.ofMinutes(minutes));
    } else if (p.has("from") || p.has("to")) {
      Instant[] range = p.range(limits.maxRange());
      from = range[0];
      to = range[1];
    } else {
      to = Instant.ofEpochMilli(Windows.windowEnd(Windows.windowStart(counts.clock().millis())));
      from = to.minus(Duration.ofMinutes(60));
    }
    respond(ctx, "totals|" + from + "|" + to, () -> counts.totals(from, to));
  }

  void topPages(Context ctx) {
    Params p = params(ctx, TOP_PAGES);
    int minutes = p.integer("minutes", 1, maxMinutes(), 10);
    int limit = p.integer("limit", 1, limits.maxLimit(), Math.min(10, limits.maxLimit()));
    respond(ctx, "top|" + minutes + "|" + limit, () -> counts.topPages(minutes, limit));
  }

  void freshness(Context ctx) {
    params(ctx, NONE);
    respond(ctx, "freshness", () -> counts.freshness(limits.staleAfter().toSeconds()));
  }

  /** The first bytes of a health answer whose status is down (the status is always its first field). */
  private static final byte[] HEALTH_DOWN = "{\"status\":\"down\"".getBytes(StandardCharsets.UTF_8);

  /**
   * 200 while ClickHouse, the one dependency the API needs, answers (status {@code ok}, or {@code
   * degraded} when the speed layer stalled), 503 with status {@code down} while it does not: a load
   * balancer or monitor reading only the status code sees the outage. Kafka is reported (consumer
   * lag, {@code unknown} when unreachable) but serving does not depend on it, so it never makes
   * health fail.
   */
  void health(Context ctx) {
    params(ctx, NONE);
    byte[] body = cache.get("health", () -> toJson(computeHealth()));
    boolean down = body.length >= HEALTH_DOWN.length
        && java.util.Arrays.equals(body, 0, HEALTH_DOWN.length, HEALTH_DOWN, 0, HEALTH_DOWN.length);
    ctx.status(down ? 503 : 200).contentType("application/json").result(body);
  }

  /** What an unauthenticated caller learns of an outage: no URL, no exception (those go to the log). */
  public static final String CLICKHOUSE_UNAVAILABLE = "ClickHouse is unavailable; retry later (details are in the serving layer's log)";

  private Map<String, Object> computeHealth() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> clickhouse = new LinkedHashMap<>();
    String status = "ok";
    try {
      clickhouse.put("status", "up");
      clickhouse.put("version", counts.serverVersion());
    } catch (QueryException e) {
      clickhouse.put("status", "down");
      clickhouse.put("message", CLICKHOUSE_UNAVAILABLE);
      out.put("status", "down");
      out.put("clickhouse", clickhouse);
      return out;
    }
    ServingQueries.Freshness f = counts.freshness(limits.staleAfter().toSeconds());
    Map<String, Object> speed = new LinkedHashMap<>();
    speed.put("status", f.newestWindow() == null ? "no_data" : f.stale() ? "stalled" : "ok");
    speed.put("newest_window", f.newestWindow());
    speed.put("lag_seconds", f.lagSeconds());
    if (f.stale()) {
      status = "degraded";
    }
    speed.put("consumer_lag", lag(lagSource.speedGroup()));
    Map<String, Object> lake = new LinkedHashMap<>();
    ConsumerLag.Lag lakeLag = lag(lagSource.lakeGroup());
    lake.put("status", lakeLag.status());
    lake.put("consumer_lag", lakeLag);
    if (lakeLag.message() != null) {
      lake.put("message", lakeLag.message());
    }
    Map<String, Object> reconcile = new LinkedHashMap<>();
    DriftQueries.RunList reports = drift.list(LocalDate.now(counts.clock().withZone(ZoneOffset.UTC)).minusDays(366), 1);
    if (!reports.available() || reports.reports().isEmpty()) {
      reconcile.put("status", "never_run");
      reconcile.put("message", reports.message());
    } else {
      DriftQueries.Run last = reports.reports().get(0);
      reconcile.put("status", "ok");
      reconcile.put("last_day", last.day());
      reconcile.put("last_outcome", last.outcome());
      reconcile.put("last_finished_at", last.finishedAt());
    }
    out.put("status", status);
    out.put("clickhouse", clickhouse);
    out.put("speed_layer", speed);
    out.put("lake", lake);
    out.put("reconciliation", reconcile);
    return out;
  }

  private ConsumerLag.Lag lag(String group) {
    return lagSource.of(group);
  }

  void driftList(Context ctx) {
    Params p = params(ctx, DRIFT_LIST);
    int days = p.integer("days", 1, 366, 30);
    int limit = p.integer("limit", 1, limits.maxLimit(), Math.min(100, limits.maxLimit()));
    LocalDate since = LocalDate.now(counts.clock().withZone(ZoneOffset.UTC)).minusDays(days - 1L);
    respond(ctx, "drift|" + since + "|" + limit, () -> drift.list(since, limit));
  }

  void driftDay(Context ctx) {
    Params p = params(ctx, DRIFT_DAY);
    LocalDate day = Params.day("day", ctx.pathParam("day"));
    int limit = p.integer("limit", 1, limits.maxLimit(), Math.min(20, limits.maxLimit()));
    respond(ctx, "drift-day|" + day + "|" + limit, () -> drift.day(day, limit));
  }

  void dashboardConfig(Context ctx) {
    params(ctx, NONE);
    Map<String, Object> out = new TreeMap<>();
    out.put("refresh_interval_ms", limits.refreshInterval().toMillis());
    out.put("stale_after_seconds", limits.staleAfter().toSeconds());
    out.put("max_range_minutes", limits.maxRange().toMinutes());
    out.put("max_limit", limits.maxLimit());
    ctx.contentType("application/json").result(toJson(out));
  }

  void clearCache(Context ctx) {
    params(ctx, NONE);
    requireAdmin(ctx);
    int n = cache.clear();
    ctx.contentType("application/json").result(toJson(Map.of("cleared_entries", n)));
  }

  private void requireAdmin(Context ctx) {
    String token = limits.adminToken();
    if (token == null || token.isEmpty()) {
      throw new ApiStatusException(403, "admin_disabled", "Admin endpoints are disabled: set tidemark.serving.admin-token to enable them");
    }
    String header = ctx.header("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
    if (given == null
        || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiStatusException(401, "unauthorized", "Admin endpoints need 'Authorization: Bearer <tidemark.serving.admin-token>'");
    }
  }

  private void respond(Context ctx, String cacheKey, Supplier<Object> compute) {
    byte[] body = cache.get(cacheKey, () -> toJson(compute.get()));
    ctx.contentType("application/json").result(body);
  }

  public static byte[] toJson(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write answer as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
