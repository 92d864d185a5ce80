package io.tidemark.lake.connect;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.table.LakeCatalog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kafka Connect configuration of the archive: the Iceberg sink connector and, for the local
 * standalone worker, the worker itself. One place for every setting, so the standalone worker
 * that {@code lake run} starts and the JSON documented for a distributed Connect cluster
 * ({@code lake connector-config}) cannot drift apart.
 *
 * <p>Settings that guard exactly-once on Iceberg 1.10.1 (see docs/lake.md):
 * <ul>
 *   <li>{@code tasks.max} defaults to 1: with several tasks a rebalance can leave two
 *       coordinators committing (apache/iceberg#17637);
 *   <li>the table is created by Tidemark, never auto-created by the sink, and schema evolution
 *       only adds optional columns;
 *   <li>short consumer session and transaction timeouts, so a worker restarted after a crash
 *       takes over within seconds instead of waiting for the dead one's defaults (45 s, 60 s);
 *   <li>the coordinator's control-topic offsets are seeded before the first start (see {@link
 *       ControlTopicGuard}), because the sink's default {@code auto.offset.reset=latest} would skip
 *       files announced before a first commit (apache/iceberg#17551).
 * </ul>
 */
public final class ArchiveConnectorConfig {
  private ArchiveConnectorConfig() {}

  public static final String CONNECTOR_CLASS = "org.apache.iceberg.connect.IcebergSinkConnector";
  /** {@link PageViewRecordTransform}, by name: the Connect API is not on the CLI's classpath. */
  public static final String TRANSFORM_CLASS = "io.tidemark.lake.connect.PageViewRecordTransform";

  public static final String BYTE_ARRAY_CONVERTER =
      "org.apache.kafka.connect.converters.ByteArrayConverter";

  /** Prefix of the sink's overrides of the table's write properties. */
  static final String WRITE_PROPS_PREFIX = "iceberg.tables.write-props.";

  /**
   * The table properties the sink's writers override ({@code iceberg.tables.write-props.*}),
   * without the prefix: also what the benchmark's writer floor writes with, so that it measures
   * the files the sink writes.
   */
  public static Map<String, String> writeProperties(TidemarkConfig cfg) {
    Map<String, String> w = new LinkedHashMap<>();
    w.put("write.target-file-size-bytes", String.valueOf(cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE)));
    return w;
  }

  /** The connector's consumer group, where the sink commits source offsets (transactionally). */
  public static String connectGroupId(TidemarkConfig cfg) {
    return "connect-" + cfg.get(LakeArchiveOptions.CONNECTOR_NAME);
  }

  /** The coordinator's consumer group on the control topic. */
  public static String coordinatorGroupId(TidemarkConfig cfg) {
    return connectGroupId(cfg) + "-coord";
  }

  /**
   * The connector properties (what a distributed cluster takes as {@code config} in
   * {@code PUT /connectors/<name>/config}).
   *
   * @param cfg resolved configuration (endpoints set)
   */
  public static Map<String, String> connector(TidemarkConfig cfg) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("name", cfg.get(LakeArchiveOptions.CONNECTOR_NAME));
    c.put("connector.class", CONNECTOR_CLASS);
    c.put("tasks.max", String.valueOf(cfg.get(LakeArchiveOptions.TASKS)));
    c.put("topics", cfg.get(KafkaOptions.EVENTS_TOPIC));
    c.put("key.converter", BYTE_ARRAY_CONVERTER);
    c.put("value.converter", BYTE_ARRAY_CONVERTER);
    c.put("header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter");
    c.put("errors.tolerance", "none");
    c.put("transforms", "pageview");
    c.put("transforms.pageview.type", TRANSFORM_CLASS);
    String registry = cfg.get(io.tidemark.core.config.SchemaRegistryOptions.URL);
    if (registry != null && !registry.isBlank()) {
      c.put("transforms.pageview.schema-registry.url", registry);
      c.put("transforms.pageview.schema-registry.request-timeout-ms",
          String.valueOf(cfg.get(io.tidemark.core.config.SchemaRegistryOptions.REQUEST_TIMEOUT).toMillis()));
      c.put("transforms.pageview.schema-registry.max-backoff-ms",
          String.valueOf(cfg.get(io.tidemark.core.config.SchemaRegistryOptions.MAX_BACKOFF).toMillis()));
    }
    c.put("iceberg.tables", cfg.get(LakeOptions.NAMESPACE) + "." + cfg.get(LakeArchiveOptions.TABLE));
    c.put("iceberg.tables.auto-create-enabled", "false");
    c.put("iceberg.tables.evolve-schema-enabled", "true");
    c.put("iceberg.control.topic", cfg.get(LakeArchiveOptions.CONTROL_TOPIC));
    c.put("iceberg.control.commit.interval-ms", ms(cfg, LakeArchiveOptions.COMMIT_INTERVAL));
    c.put("iceberg.control.commit.timeout-ms", ms(cfg, LakeArchiveOptions.COMMIT_TIMEOUT));
    c.put("iceberg.control.commit.threads", "2");
    c.put("iceberg.catalog", cfg.get(LakeOptions.CATALOG_NAME));
    LakeCatalog.properties(cfg).forEach((k, v) -> c.put("iceberg.catalog." + k, v));
    writeProperties(cfg).forEach((k, v) -> c.put(WRITE_PROPS_PREFIX + k, v));
    kafkaClient(cfg).forEach((k, v) -> c.put("iceberg.kafka." + k, v));
    c.put("iceberg.kafka.transaction.timeout.ms", ms(cfg, LakeArchiveOptions.TRANSACTION_TIMEOUT));
    c.put("iceberg.kafka.session.timeout.ms", ms(cfg, LakeArchiveOptions.CONSUMER_SESSION_TIMEOUT));
    c.put("iceberg.kafka.heartbeat.interval.ms", heartbeat(cfg));
    return c;
  }

  /**
   * The standalone worker's properties.
   *
   * @param offsetsFile where the standalone worker keeps source offsets (unused by sinks, required)
   */
  public static Map<String, String> standaloneWorker(TidemarkConfig cfg, String offsetsFile) {
    Map<String, String> w = new LinkedHashMap<>(kafkaClient(cfg));
    w.put("key.converter", BYTE_ARRAY_CONVERTER);
    w.put("value.converter", BYTE_ARRAY_CONVERTER);
    w.put("offset.storage.file.filename", offsetsFile);
    // The sink commits offsets itself; this bounds how long an idle task blocks in poll() before it
    // sees the coordinator's StartCommit, i.e. the commit latency on a quiet topic.
    w.put("offset.flush.interval.ms", "1000");
    // Plugins are on the classpath; service loading skips the slow reflective scan (10 s -> 1 s).
    w.put("plugin.discovery", "service_load");
    w.put("listeners", "http://localhost:" + cfg.get(LakeArchiveOptions.REST_PORT));
    w.put("consumer.session.timeout.ms", ms(cfg, LakeArchiveOptions.CONSUMER_SESSION_TIMEOUT));
    w.put("consumer.heartbeat.interval.ms", heartbeat(cfg));
    // Bigger polls: the sink writes Parquet in batches; the default 500 records per poll costs
    // a put() round trip per 500 records.
    w.put("consumer.max.poll.records", "5000");
    w.put("consumer.fetch.min.bytes", "65536");
    w.put("consumer.fetch.max.wait.ms", "200");
    kafkaClient(cfg).forEach((k, v) -> {
      if (!k.equals("bootstrap.servers")) {
        w.put("consumer." + k, v);
        w.put("producer." + k, v);
        w.put("admin." + k, v);
      }
    });
    return w;
  }

  /** Kafka client settings shared by every client of the worker and the sink. */
  public static Map<String, String> kafkaClientProperties(TidemarkConfig cfg) {
    return kafkaClient(cfg);
  }

  static Map<String, String> kafkaClient(TidemarkConfig cfg) {
    Map<String, String> k = new LinkedHashMap<>();
    KafkaOptions.clientProperties(cfg).forEach((key, v) -> {
      if (v != null) {
        k.put(key, v.toString());
      }
    });
    return k;
  }

  private static String ms(TidemarkConfig cfg, io.tidemark.core.config.ConfigOption<java.time.Duration> o) {
    return String.valueOf(cfg.get(o).toMillis());
  }

  private static String heartbeat(TidemarkConfig cfg) {
    return String.valueOf(Math.max(1000, cfg.get(LakeArchiveOptions.CONSUMER_SESSION_TIMEOUT).toMillis() / 3));
  }
}
