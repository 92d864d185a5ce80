package io.tidemark.lake;

import io.tidemark.core.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/**
 * Options of the lake archive: the Iceberg table, the Kafka Connect sink that fills it and the
 * maintenance that keeps it small. Where the store and the catalog are lives in
 * {@link io.tidemark.core.config.LakeOptions}, shared with the batch layer.
 */
public final class LakeArchiveOptions {
  private LakeArchiveOptions() {}

  public static final ConfigOption<String> TABLE =
      ConfigOption.stringKey("tidemark.lake.table")
          .defaultValue("pageview_events")
          .description("Name of the archive table inside tidemark.catalog.namespace.");

  public static final ConfigOption<String> CONNECTOR_NAME =
      ConfigOption.stringKey("tidemark.lake.connector-name")
          .defaultValue("tidemark-lake")
          .description("Kafka Connect connector name; also names its consumer group (connect-<name>) and must never change for an existing table.");

  public static final ConfigOption<String> CONTROL_TOPIC =
      ConfigOption.stringKey("tidemark.lake.control-topic")
          .defaultValue("tidemark_lake_control")
          .description("Control topic of Iceberg's sink (commit protocol between workers and the coordinator).");

  public static final ConfigOption<Duration> CONTROL_TOPIC_RETENTION =
      ConfigOption.durationKey("tidemark.lake.control-topic-retention")
          .defaultValue(Duration.ofDays(30))
          .description("Retention of the control topic; a worker stopped for longer than this loses the files it had announced but not committed.");

  public static final ConfigOption<Duration> COMMIT_INTERVAL =
      ConfigOption.durationKey("tidemark.lake.commit-interval")
          .defaultValue(Duration.ofSeconds(10))
          .description("How often the sink commits a snapshot: archived data is queryable within about this long.");

  public static final ConfigOption<Duration> COMMIT_TIMEOUT =
      ConfigOption.durationKey("tidemark.lake.commit-timeout")
          .defaultValue(Duration.ofSeconds(30))
          .description("How long the coordinator waits for every worker's files before committing what it has.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
      ConfigOption.durationKey("tidemark.lake.transaction-timeout")
          .defaultValue(Duration.ofSeconds(30))
          .description("Kafka transaction timeout of the sink's control producers; after a crash the restarted worker waits up to this long for the dead worker's open transaction to be aborted.");

  public static final ConfigOption<Duration> CONSUMER_SESSION_TIMEOUT =
      ConfigOption.durationKey("tidemark.lake.consumer-session-timeout")
          .defaultValue(Duration.ofSeconds(10))
          .description("Session timeout of the sink's consumers; after a crash the restarted worker's coordinator waits about this long to take over the control topic.");

  public static final ConfigOption<Integer> TASKS =
      ConfigOption.intKey("tidemark.lake.tasks")
          .defaultValue(1)
          .description("Sink tasks (tasks.max). More than one exposes apache/iceberg#17637 (two coordinators after a rebalance) on Iceberg 1.10.1.");

  public static final ConfigOption<Long> TARGET_FILE_SIZE =
      ConfigOption.longKey("tidemark.lake.target-file-size")
          .defaultValue(128L * 1024 * 1024)
          .description("Target size of data files in bytes, for the sink and for compaction (write.target-file-size-bytes).");

  public static final ConfigOption<Duration> SNAPSHOT_RETENTION =
      ConfigOption.durationKey("tidemark.lake.snapshot-retention")
          .defaultValue(Duration.ofDays(7))
          .description("lake maintain expires snapshots older than this (time travel and verify look back this far).");

  public static final ConfigOption<Integer> MIN_SNAPSHOTS_TO_KEEP =
      ConfigOption.intKey("tidemark.lake.min-snapshots-to-keep")
          .defaultValue(10)
          .description("lake maintain always keeps at least this many snapshots, however old.");

  public static final ConfigOption<String> CONNECT_CLASSPATH_FILE =
      ConfigOption.stringKey("tidemark.lake.connect-classpath-file")
          .description("Classpath file of the Connect worker JVM; unset means $TIDEMARK_HOME/lake/connect-runtime/target/classpath.txt.");

  public static final ConfigOption<String> WORKER_HEAP =
      ConfigOption.stringKey("tidemark.lake.worker-heap")
          .defaultValue("512m")
          .description("Maximum heap of the Kafka Connect worker JVM (-Xmx).");

  public static final ConfigOption<String> WORKER_JVM_OPTIONS =
      ConfigOption.stringKey("tidemark.lake.worker-jvm-options")
          .description("Extra options of the Kafka Connect worker JVM, separated by spaces, added after Tidemark's own (e.g. -XX:StartFlightRecording=... to profile it).");

  public static final ConfigOption<Integer> REST_PORT =
      ConfigOption.intKey("tidemark.lake.rest-port")
          .defaultValue(18083)
          .description("REST port of the standalone Connect worker (status of the connector and its task).");

  public static final ConfigOption<Integer> METRICS_PORT =
      ConfigOption.intKey("tidemark.lake.metrics-port")
          .defaultValue(9404)
          .description("Port of the Connect worker's Prometheus endpoint (JMX exporter agent, the target of ops/prometheus's tidemark-connect job); -1 disables it.");

  public static final ConfigOption<String> METRICS_RULES =
      ConfigOption.stringKey("tidemark.lake.metrics-rules")
          .description("JMX exporter rules for the worker's Prometheus endpoint; unset means $TIDEMARK_HOME/ops/prometheus/connect-jmx-exporter.yml.");

  public static List<ConfigOption<?>> all() {
    return List.of(
        TABLE, CONNECTOR_NAME, CONTROL_TOPIC, CONTROL_TOPIC_RETENTION, COMMIT_INTERVAL,
        COMMIT_TIMEOUT, TRANSACTION_TIMEOUT, CONSUMER_SESSION_TIMEOUT, TASKS, TARGET_FILE_SIZE,
        SNAPSHOT_RETENTION, MIN_SNAPSHOTS_TO_KEEP, CONNECT_CLASSPATH_FILE, WORKER_HEAP, WORKER_JVM_OPTIONS,
        REST_PORT,
        METRICS_PORT, METRICS_RULES);
  }
}
