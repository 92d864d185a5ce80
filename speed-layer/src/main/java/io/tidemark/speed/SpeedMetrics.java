package io.tidemark.speed;

/**
 * Names of the speed layer's own metrics. All live in the metric group {@value #GROUP} under the
 * operator's scope, so the Prometheus reporter exposes them as {@code
 * flink_taskmanager_job_task_operator_tidemark_<name>} (labels job_name, task_name, subtask_index,
 * and {@value #REASON_LABEL} where noted), except the source's (valid, invalid and schema registry ones), which the Kafka source puts
 * under {@code deserializer} ({@code flink_taskmanager_job_task_operator_deserializer_tidemark_<name>});
 * OpsScrapeTargetsIT (serving) checks every name ops/grafana uses against a running job. Flink's own metrics cover the rest of issue 4's list:
 * {@code numRecordsInPerSecond}/{@code numRecordsOutPerSecond} (events in/out), the Kafka source's
 * {@code pendingRecords} and {@code KafkaSourceReader.KafkaConsumer.records-lag-max} (consumer
 * lag), {@code lastCheckpointDuration}/{@code lastCheckpointSize} (job manager),
 * {@code backPressuredTimeMsPerSecond} (backpressure, e.g. while ClickHouse is down).
 */
public final class SpeedMetrics {
  private SpeedMetrics() {}

  /** Metric group of every metric below: {@code <operator scope>.tidemark}. */
  public static final String GROUP = "tidemark";

  /**
   * Label (user variable) of per-reason invalid counters: {@code
   * <source scope>.deserializer.tidemark.reason.<code>.invalidEvents}, in Prometheus {@code
   * flink_taskmanager_job_task_operator_deserializer_tidemark_reason_invalidEvents{reason="<code>"}}.
   */
  public static final String REASON_LABEL = "reason";

  /**
   * Counter, source: records that met the event contract. {@code <source
   * scope>.deserializer.tidemark.validEvents}: the Kafka source hands its deserializer the reader's
   * group plus {@code deserializer}, so in Prometheus {@code
   * flink_taskmanager_job_task_operator_deserializer_tidemark_validEvents}.
   */
  public static final String VALID_EVENTS = "validEvents";

  /**
   * Counter, source: records routed to the dead-letter topic (also per reason). {@code <source
   * scope>.deserializer.tidemark.invalidEvents}, in Prometheus {@code
   * flink_taskmanager_job_task_operator_deserializer_tidemark_invalidEvents}.
   */
  public static final String INVALID_EVENTS = "invalidEvents";

  /** Counter, user count operator: redelivered event_ids ignored. {@code <operator scope>.tidemark.duplicateEvents}. */
  public static final String DUPLICATE_EVENTS = "duplicateEvents";

  /** Counter, count operators: events later than the allowed lateness, sent to the late topic. {@code <operator scope>.tidemark.lateEvents}. */
  public static final String LATE_EVENTS = "lateEvents";

  /** Counter, count operators: events counted. {@code <operator scope>.tidemark.countedEvents}. */
  public static final String COUNTED_EVENTS = "countedEvents";

  /** Gauge, count operators: current event-time watermark in epoch ms as the operator sees it. {@code <operator scope>.tidemark.watermark}. */
  public static final String WATERMARK = "watermark";

  /** Counter, ClickHouse sink: rows written (one row per changed window per flush). {@code <sink scope>.tidemark.clickhouseRowsWritten}. */
  public static final String CLICKHOUSE_ROWS = "clickhouseRowsWritten";

  /** Meter, ClickHouse sink: rows written per second. {@code <sink scope>.tidemark.clickhouseRowsWrittenPerSecond}. */
  public static final String CLICKHOUSE_ROWS_RATE = "clickhouseRowsWrittenPerSecond";

  /** Counter, ClickHouse sink: inserts that failed (each retry counts). {@code <sink scope>.tidemark.clickhouseInsertErrors}. */
  public static final String CLICKHOUSE_ERRORS = "clickhouseInsertErrors";

  /** Gauge, ClickHouse sink: changed windows waiting for the next flush. {@code <sink scope>.tidemark.clickhousePendingRows}. */
  public static final String CLICKHOUSE_PENDING = "clickhousePendingRows";

  /** Gauge, ClickHouse sink: duration of the last successful insert in ms. {@code <sink scope>.tidemark.clickhouseLastInsertMillis}. */
  public static final String CLICKHOUSE_LAST_INSERT_MS = "clickhouseLastInsertMillis";

  /**
   * Histogram, ClickHouse sink: freshness in ms, from the event time of the newest event of a
   * window to the moment its count was written. {@code <sink scope>.tidemark.freshnessMillis}.
   */
  public static final String FRESHNESS_MS = "freshnessMillis";

  /**
   * Gauge, source: 1 while the deserializer waits for the schema registry (a lookup of a schema
   * id not cached yet failed and is being retried; the source is held back), else 0. {@code <source
   * scope>.deserializer.tidemark.schemaRegistryWaiting}, in Prometheus {@code
   * flink_taskmanager_job_task_operator_deserializer_tidemark_schemaRegistryWaiting}.
   */
  public static final String REGISTRY_WAITING = "schemaRegistryWaiting";

  /**
   * Counter, source: failed schema registry lookups, each one retried. {@code <source
   * scope>.deserializer.tidemark.schemaRegistryRetries}.
   */
  public static final String REGISTRY_RETRIES = "schemaRegistryRetries";

  /**
   * Counter, source: schema registry lookups made (one per new schema id in steady state; the
   * cache answers the rest). {@code <source scope>.deserializer.tidemark.schemaRegistryLookups}.
   */
  public static final String REGISTRY_LOOKUPS = "schemaRegistryLookups";
}
