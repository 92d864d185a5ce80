package io.tidemark.serving.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.serving.ServingMetrics;
import io.tidemark.serving.api.ApiRoutes;
import io.tidemark.serving.drift.DriftQueries;
import io.tidemark.serving.internal.RateLimitedLog;
import io.tidemark.serving.query.QueryException;
import io.tidemark.serving.query.ServingQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gauges whose values live in ClickHouse or Kafka (freshness lag, last drift, consumer lag),
 * refreshed on one background thread every {@code tidemark.serving.metrics-refresh-interval}.
 *
 * <p>Why not at scrape time: a scrape used to run those queries, so while ClickHouse accepted
 * connections and never answered, {@code GET /metrics} took 40 s (Prometheus gives up after 10 s
 * by default, and the scrape failure fired the wrong alert). Now a scrape reads the last values
 * and never waits; {@value ServingMetrics#GAUGES_AGE} says how old they are, per source, so an
 * outage shows as a growing age instead of a failed scrape. A failed refresh keeps the previous
 * values (logged at most once per log interval).
 *
 * <p>Thread-safe: the refresh thread writes volatile snapshots that the gauges read.
 */
public final class GaugeRefresher implements AutoCloseable {
  private record DriftFigures(double absDrift, double relativeDrift, double finishedEpochSeconds) {
    static final DriftFigures NONE = new DriftFigures(Double.NaN, Double.NaN, Double.NaN);
  }

  private final ServingQueries counts;
  private final DriftQueries drift;
  private final ApiRoutes.LagSource lagSource;
  private final long staleAfterSeconds;
  private final RateLimitedLog log;
  private final ScheduledExecutorService thread;
  private final long startedAt = System.nanoTime();

  private volatile double freshnessLag = Double.NaN;
  private volatile long freshnessReadAtMillis;
  private volatile DriftFigures driftFigures = DriftFigures.NONE;
  private volatile long clickHouseReadAt = Long.MIN_VALUE;
  private volatile long kafkaReadAt = Long.MIN_VALUE;
  private final Map<String, Double> consumerLag = new ConcurrentHashMap<>();

  /**
   * Registers the gauges and starts refreshing at once, then every {@code interval} after the
   * previous refresh ended (a slow ClickHouse delays refreshes, never piles them up).
   */
  public GaugeRefresher(
      MeterRegistry registry, ServingQueries counts, DriftQueries drift, ApiRoutes.LagSource lagSource,
      Duration staleAfter, Duration interval, RateLimitedLog log) {
    this.counts = counts;
    this.drift = drift;
    this.lagSource = lagSource;
    this.staleAfterSeconds = staleAfter.toSeconds();
    this.log = log;
    for (String group : List.of(lagSource.speedGroup(), lagSource.lakeGroup())) {
      consumerLag.put(group, Double.NaN);
      Gauge.builder(ServingMetrics.CONSUMER_LAG, consumerLag, m -> m.getOrDefault(group, Double.NaN))
          .description("Records of the events topic not yet committed by the consumer group")
          .tag(ServingMetrics.TAG_GROUP, group)
          .baseUnit("records")
          .register(registry);
    }
    Gauge.builder(ServingMetrics.FRESHNESS_LAG, this, GaugeRefresher::freshnessLagNow)
        .description("Wall clock minus the newest count window written, in seconds")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(ServingMetrics.DRIFT_LAST_ABS, this, g -> g.driftFigures.absDrift())
        .description("|batch - speed| of the newest reconciled day's latest run")
        .register(registry);
    Gauge.builder(ServingMetrics.DRIFT_LAST_RELATIVE, this, g -> g.driftFigures.relativeDrift())
        .description("Relative drift of the newest reconciled day's latest run")
        .register(registry);
    Gauge.builder(ServingMetrics.RECONCILE_LAST_FINISHED, this, g -> g.driftFigures.finishedEpochSeconds())
        .description("When the newest reconciled day's latest run finished, epoch seconds")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(ServingMetrics.GAUGES_AGE, this, g -> g.age(g.clickHouseReadAt))
        .description("Seconds since the gauges read from this source were last refreshed")
        .tag(ServingMetrics.TAG_SOURCE, "clickhouse")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(ServingMetrics.GAUGES_AGE, this, g -> g.lagSource.configured() ? g.age(g.kafkaReadAt) : Double.NaN)
        .description("Seconds since the gauges read from this source were last refreshed")
        .tag(ServingMetrics.TAG_SOURCE, "kafka")
        .baseUnit("seconds")
        .register(registry);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serving-gauges");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private double age(long readAt) {
    long since = readAt == Long.MIN_VALUE ? startedAt : readAt;
    return (System.nanoTime() - since) / 1e9;
  }

  /** The lag as of the last refresh plus the time since, on the queries' clock (a fixed one in tests). */
  private double freshnessLagNow() {
    double lag = freshnessLag;
    return Double.isNaN(lag) ? lag : lag + Math.max(0, counts.clock().millis() - freshnessReadAtMillis) / 1000.0;
  }

  /** One refresh of every source; never throws (the executor would stop scheduling). */
  void refresh() {
    try {
      refreshClickHouse();
      refreshKafka();
    } catch (RuntimeException e) {
      log.warn("gauges-" + e.getClass().getName(), "Refreshing the /metrics gauges failed: " + e);
    }
  }

  private void refreshClickHouse() {
    try {
      long readAt = counts.clock().millis();
      ServingQueries.Freshness f = counts.freshness(staleAfterSeconds);
      DriftQueries.RunList runs = drift.list(LocalDate.now(counts.clock().withZone(ZoneOffset.UTC)).minusDays(365), 1);
      freshnessLag = f.lagSeconds() == null ? Double.NaN : f.lagSeconds();
      freshnessReadAtMillis = readAt;
      if (runs.reports().isEmpty()) {
        driftFigures = DriftFigures.NONE;
      } else {
        DriftQueries.Run r = runs.reports().get(0);
        driftFigures = new DriftFigures(r.absDrift(), r.relativeDrift(), Instant.parse(r.finishedAt()).getEpochSecond());
      }
      clickHouseReadAt = System.nanoTime();
    } catch (QueryException e) {
      log.warn("gauges-clickhouse-" + e.kind(), "Cannot refresh the /metrics gauges read from ClickHouse (keeping the"
          + " previous values): " + e.getMessage());
    }
  }

  private void refreshKafka() {
    if (!lagSource.configured()) {
      return;
    }
    boolean ok = true;
    for (String group : List.of(lagSource.speedGroup(), lagSource.lakeGroup())) {
      ConsumerLag.Lag l = lagSource.of(group);
      if ("unknown".equals(l.status())) {
        ok = false;
        log.warn("gauges-kafka", "Cannot refresh the consumer lag gauges (keeping the previous values): " + l.message());
        continue;
      }
      consumerLag.put(group, l.lag() == null ? Double.NaN : l.lag().doubleValue());
    }
    if (ok) {
      kafkaReadAt = System.nanoTime();
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
