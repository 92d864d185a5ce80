package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.serving.api.ApiRoutes;
import io.tidemark.serving.api.ApiStatusException;
import io.tidemark.serving.api.BadRequestException;
import io.tidemark.serving.api.EdgeGuard;
import io.tidemark.serving.api.JsonErrorHandler;
import io.tidemark.serving.drift.DriftQueries;
import io.tidemark.serving.health.ConsumerLag;
import io.tidemark.serving.health.GaugeRefresher;
import io.tidemark.serving.internal.RateLimitedLog;
import io.tidemark.serving.query.ClickHouseReader;
import io.tidemark.serving.query.QueryException;
import io.tidemark.serving.query.ResponseCache;
import io.tidemark.serving.query.ServingQueries;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving layer's HTTP server: JSON API ({@link ApiRoutes}), dashboard (static files under
 * {@code /}), {@code /openapi.json} and {@code /metrics}.
 *
 * <pre>{@code
 * try (ServingServer server = ServingServer.start(config)) {
 *   System.out.println("Dashboard at " + server.url());
 * }
 * }</pre>
 *
 * <p>Reads ClickHouse only, as the read-only user: starting or stopping it changes no data.
 *
 * <p>While ClickHouse fails it stays responsive: {@code /metrics} answers from values a background
 * thread refreshes ({@link GaugeRefresher}), queries pass a circuit breaker that fails them at once
 * after consecutive failures, {@code /api/health} answers 503, and failures are logged at most
 * once per cause per {@code tidemark.serving.log-interval} ({@link RateLimitedLog}). Callers learn
 * that ClickHouse is unavailable, never its URL or an exception (those are logged).
 */
public final class ServingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);

  private final Javalin app;
  private final PrometheusMeterRegistry registry;
  private final List<ApiRoutes.Route> routes;
  private final String host;
  private final ConsumerLag lag;
  private final GaugeRefresher gauges;

  private ServingServer(
      Javalin app, PrometheusMeterRegistry registry, List<ApiRoutes.Route> routes, String host, ConsumerLag lag,
      GaugeRefresher gauges) {
    this.gauges = gauges;
    this.app = app;
    this.registry = registry;
    this.routes = routes;
    this.host = host;
    this.lag = lag;
  }

  /** Starts a server on the configured host and port, reading the system clock. */
  public static ServingServer start(TidemarkConfig cfg) {
    return start(cfg, Clock.systemUTC());
  }

  /**
   * Starts a server.
   *
   * @param clock wall clock for "last N minutes" and freshness (tests pass a fixed one)
   * @throws io.tidemark.core.config.ConfigException when a serving or ClickHouse option is invalid,
   *     or the configured port is taken
   */
  public static ServingServer start(TidemarkConfig cfg, Clock clock) {
    ServingOptions.validate(cfg);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RateLimitedLog warnings = new RateLimitedLog(LOG, cfg.get(ServingOptions.LOG_INTERVAL));
    ClickHouseReader reader = ClickHouseReader.fromConfig(cfg, registry, warnings);
    ServingQueries counts = new ServingQueries(reader, clock);
    DriftQueries drift = new DriftQueries(reader);
    ResponseCache cache =
        new ResponseCache(cfg.get(ServingOptions.CACHE_TTL), cfg.get(ServingOptions.CACHE_MAX_ENTRIES), registry);
    ConsumerLag lag = ConsumerLag.fromConfig(cfg, warnings);
    ApiRoutes.LagSource lagSource =
        new ApiRoutes.LagSource(lag, cfg.get(ServingOptions.SPEED_CONSUMER_GROUP), cfg.get(ServingOptions.LAKE_CONSUMER_GROUP));
    String adminToken = cfg.get(ServingOptions.ADMIN_TOKEN);
    ApiRoutes api =
        new ApiRoutes(counts, drift, cache,
            new ApiRoutes.Limits(
                cfg.get(ServingOptions.MAX_RANGE), cfg.get(ServingOptions.MAX_LIMIT), cfg.get(ServingOptions.STALE_AFTER),
                cfg.get(ServingOptions.REFRESH_INTERVAL), adminToken),
            lagSource);
    GaugeRefresher gauges = new GaugeRefresher(registry, counts, drift, lagSource,
        cfg.get(ServingOptions.STALE_AFTER), cfg.get(ServingOptions.METRICS_REFRESH_INTERVAL), warnings);
    EdgeGuard edge = new EdgeGuard(ServingOptions.allowedHosts(cfg));

    byte[] openApi = resource("/openapi.json");
    List<ApiRoutes.Route> routes = api.routes();
    JsonErrorHandler jettyErrors = new JsonErrorHandler();
    Javalin app =
        Javalin.create(config -> {
          config.showJavalinBanner = false;
          config.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
          config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jettyErrors));
          config.staticFiles.add(sf -> {
            sf.hostedPath = "/";
            sf.directory = "/public";
            sf.location = Location.CLASSPATH;
          });
          config.requestLogger.http((ctx, ms) -> record(registry, ctx, ms));
          for (ApiRoutes.Route r : routes) {
            config.router.mount(router -> router.addHttpHandler(r.method(), r.path(), r.handler()));
            if (r.method() == HandlerType.GET) {
              // HEAD answers what GET would, validation included (Jetty sends no body)
              config.router.mount(router -> router.addHttpHandler(HandlerType.HEAD, r.path(), r.handler()));
            }
          }
        });
    app.before(edge::check);
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    app.exception(BadRequestException.class, (e, ctx) -> error(ctx, 400, "bad_request", e.getMessage()));
    app.exception(ApiStatusException.class, (e, ctx) -> error(ctx, e.status(), e.error(), e.getMessage()));
    app.exception(QueryException.class, (e, ctx) -> {
      warnings.warn("request-" + e.kind() + (e.isUnavailable() ? "" : "-" + e.serverCode()),
          ctx.method() + " " + ctx.path() + " failed: " + e.getMessage());
      if (e.isUnavailable()) {
        error(ctx, 503, "clickhouse_unavailable", ApiRoutes.CLICKHOUSE_UNAVAILABLE);
      } else {
        error(ctx, 500, "query_failed", "A ClickHouse query failed (details are in the serving layer's log)");
      }
    });
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal_error", "Internal error (details are in the serving layer's log)");
    });
    app.error(404, ctx -> {
      if (ctx.path().startsWith("/api/")) {
        error(ctx, 404, "not_found", "No API route " + ctx.method() + " " + ctx.path() + " (see /openapi.json)");
      }
    });
    String host = cfg.get(ServingOptions.HOST);
    try {
      app.start(host, cfg.get(ServingOptions.PORT));
    } catch (io.javalin.util.JavalinBindException e) {
      app.stop();
      gauges.close();
      registry.close();
      if (lag != null) {
        lag.close();
      }
      throw new io.tidemark.core.config.ConfigException(
          "Cannot serve on " + host + ":" + cfg.get(ServingOptions.PORT) + ": the port is in use by another process (set "
              + ServingOptions.PORT.key() + " / " + ServingOptions.PORT.envName() + ", or --port)");
    }
    LOG.info("Serving on http://{}:{} (ClickHouse as {} in database {})", host, app.port(),
        cfg.get(io.tidemark.core.config.ClickHouseOptions.READONLY_USER), reader.database());
    return new ServingServer(app, registry, routes, host, lag, gauges);
  }

  private static void record(PrometheusMeterRegistry registry, Context ctx, float ms) {
    String route;
    if (ctx.status() == HttpStatus.NOT_FOUND) {
      route = "unmatched";
    } else {
      String p;
      try {
        p = ctx.endpointHandlerPath();
      } catch (RuntimeException e) {
        p = null;
      }
      route = p == null || p.isEmpty() || p.equals("*") ? "static" : p;
    }
    Timer.builder(ServingMetrics.HTTP_REQUESTS)
        .description("HTTP requests to the serving layer")
        .tag(ServingMetrics.TAG_ROUTE, route)
        .tag(ServingMetrics.TAG_METHOD, ctx.method().name())
        .tag(ServingMetrics.TAG_STATUS, Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos((long) (ms * 1_000_000L)));
  }

  private static void error(Context ctx, int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    ctx.status(status).contentType("application/json").result(ApiRoutes.toJson(body));
  }

  static byte[] resource(String name) {
    try (InputStream in = ServingServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + name + " is missing from the serving jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port the server listens on (the configured one, or the one picked for port 0). */
  public int port() {
    return app.port();
  }

  /** Base URL, e.g. {@code http://127.0.0.1:8088}. */
  public String url() {
    String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return "http://" + h + ":" + port();
  }

  /** The API routes this server registered (for the OpenAPI consistency test). */
  public List<ApiRoutes.Route> routes() {
    return routes;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    app.stop();
    gauges.close();
    registry.close();
    if (lag != null) {
      lag.close();
    }
  }
}
