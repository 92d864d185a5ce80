package io.tidemark.serving;

/**
 * Names of the serving layer's Micrometer metrics, as exposed on {@code /metrics} in Prometheus
 * format (Micrometer turns dots into underscores and adds the unit suffix shown).
 */
public final class ServingMetrics {
  private ServingMetrics() {}

  /**
   * Timer per HTTP request, tags {@value #TAG_ROUTE} (the route template, {@code unmatched} for
   * 404s), {@value #TAG_METHOD}, {@value #TAG_STATUS}. Prometheus: {@code
   * tidemark_serving_http_requests_seconds_{count,sum,bucket}}; the request rate is {@code
   * rate(..._count[1m])}.
   */
  public static final String HTTP_REQUESTS = "tidemark.serving.http.requests";

  /**
   * Timer per ClickHouse query, tag {@value #TAG_QUERY}. Prometheus: {@code
   * tidemark_serving_clickhouse_queries_seconds_{count,sum,bucket}}.
   */
  public static final String CLICKHOUSE_QUERIES = "tidemark.serving.clickhouse.queries";

  /**
   * Counter of failed ClickHouse queries, tags {@value #TAG_QUERY} and {@value #TAG_REASON}
   * ({@code unavailable}, {@code rejected}, or {@code circuit_open}: not sent while the breaker is
   * open). Prometheus: {@code
   * tidemark_serving_clickhouse_query_errors_total}.
   */
  public static final String CLICKHOUSE_QUERY_ERRORS = "tidemark.serving.clickhouse.query.errors";

  /** Counter of answers served from the cache. Prometheus: {@code tidemark_serving_cache_hits_total}. */
  public static final String CACHE_HITS = "tidemark.serving.cache.hits";

  /** Counter of answers computed (cache miss). Prometheus: {@code tidemark_serving_cache_misses_total}. */
  public static final String CACHE_MISSES = "tidemark.serving.cache.misses";

  /**
   * Gauge: {@code 0} closed, {@code 1} open (ClickHouse queries fail at once), {@code 2} half-open
   * (one probe query out). Prometheus: {@code tidemark_serving_clickhouse_circuit_state}.
   */
  public static final String CLICKHOUSE_CIRCUIT_STATE = "tidemark.serving.clickhouse.circuit.state";

  /**
   * Gauge per source (tag {@value #TAG_SOURCE}: {@code clickhouse}, {@code kafka}): seconds since
   * the background refresh last read that source successfully, i.e. the age of the values the
   * gauges below export (since start when it never succeeded; {@code NaN} for Kafka when no
   * broker is configured). Prometheus: {@code tidemark_serving_gauges_age_seconds}.
   */
  public static final String GAUGES_AGE = "tidemark.serving.gauges.age";

  /** Tag of {@link #GAUGES_AGE}. */
  public static final String TAG_SOURCE = "source";

  /**
   * Gauge: wall clock minus the newest window written by any layer, in seconds: the lag of the
   * last background refresh plus the time since it ({@code NaN} before the first). Prometheus:
   * {@code tidemark_serving_freshness_lag_seconds}.
   */
  public static final String FRESHNESS_LAG = "tidemark.serving.freshness.lag";

  /**
   * Gauge: {@code |batch - speed|} summed over windows in the newest reconciled day's latest run
   * ({@code NaN} before any run). Read from ClickHouse in the background, so Prometheus gets
   * reconciliation's results (a batch job with no endpoint of its own) through the serving layer.
   * Prometheus: {@code tidemark_serving_drift_last_abs_drift}.
   */
  public static final String DRIFT_LAST_ABS = "tidemark.serving.drift.last.abs.drift";

  /** Gauge: relative drift of the same run. Prometheus: {@code tidemark_serving_drift_last_relative_drift}. */
  public static final String DRIFT_LAST_RELATIVE = "tidemark.serving.drift.last.relative.drift";

  /**
   * Gauge: when that run finished, epoch seconds. Prometheus: {@code
   * tidemark_serving_reconcile_last_finished_seconds}; {@code time() - ...} is the age of the last
   * reconciliation.
   */
  public static final String RECONCILE_LAST_FINISHED = "tidemark.serving.reconcile.last.finished";

  /**
   * Gauge per consumer group (tag {@value #TAG_GROUP}): records of the events topic not yet
   * committed by the speed layer's or the lake's consumer group, read from Kafka in the background
   * ({@code NaN} when Kafka is not configured or the group has no offsets). Prometheus: {@code
   * tidemark_serving_kafka_consumer_lag_records}.
   */
  public static final String CONSUMER_LAG = "tidemark.serving.kafka.consumer.lag";

  /** Tag of {@link #CONSUMER_LAG}: the consumer group. */
  public static final String TAG_GROUP = "group";

  /** Tag of {@link #HTTP_REQUESTS}: route template such as {@code /api/users/{userId}/counts}. */
  public static final String TAG_ROUTE = "route";

  public static final String TAG_METHOD = "method";
  public static final String TAG_STATUS = "status";
  /** Tag of the ClickHouse metrics: the query's name in {@code ServingQueries}. */
  public static final String TAG_QUERY = "query";

  public static final String TAG_REASON = "reason";
}
