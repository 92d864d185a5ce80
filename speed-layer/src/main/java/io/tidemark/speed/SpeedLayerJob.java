package io.tidemark.speed;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.speed.count.CountUpdate;
import io.tidemark.speed.count.DeadLetterRouter;
import io.tidemark.speed.count.MetricKeySelector;
import io.tidemark.speed.count.PageDelta;
import io.tidemark.speed.count.PageDeltaCombiner;
import io.tidemark.speed.count.PageDeltaCountFunction;
import io.tidemark.speed.count.WindowCountFunction;
import io.tidemark.speed.count.WindowCountOperator;
import io.tidemark.speed.sink.ClickHouseCountSink;
import io.tidemark.speed.sink.ClickHouseCountStore;
import io.tidemark.speed.sink.CountStore;
import io.tidemark.speed.sink.DeadLetterSerializer;
import io.tidemark.speed.sink.LateEventSerializer;
import io.tidemark.speed.source.DeadLetter;
import io.tidemark.speed.source.PageViewDeserializer;
import io.tidemark.speed.source.PageViewEventTypeInfo;
import io.tidemark.speed.source.SourceRecord;
import io.tidemark.speed.source.StartingOffsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * The speed layer's Flink job:
 *
 * <pre>
 * Kafka pageview_events ─ validate (in the deserializer; per-partition event-time watermarks)
 *   ├─ invalid ──────────────────────────────────────────────> Kafka pageview_events_dlq
 *   └─ keyBy(user_id): dedup by event_id + 1-min counts ───────> ClickHouse user_page_counts_store
 *        ├─ too late ──────────────────────────────────────────> Kafka pageview_events_late
 *        └─ counted ─ sum per (page, window) in the subtask
 *             └─ keyBy(page_url): add the sums, 1-min counts ──> ClickHouse page_view_counts_store
 * </pre>
 *
 * Two shuffles in all, the second carrying per-page sums instead of events; every sink is chained
 * to its operator, and the lateness of an event is decided once, by the per-user count, so an
 * event counts for its page exactly when it counts for its user. The job receives its source and
 * sinks in the constructor (tests pass their own), {@link #fromConfig} wires the real ones.
 */
public final class SpeedLayerJob {
  /** Records that broke the event contract. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
  /** Events later than the allowed lateness. */
  public static final OutputTag<PageViewEvent> LATE =
      new OutputTag<>("late-events", PageViewEventTypeInfo.INSTANCE);
  /** Deduplicated, counted events, fed to the page metric. */
  public static final OutputTag<PageViewEvent> COUNTED =
      new OutputTag<>("counted-events", PageViewEventTypeInfo.INSTANCE);

  private final TidemarkConfig config;
  private final Source<SourceRecord, ?, ?> source;
  private final Sink<CountUpdate> userCounts;
  private final Sink<CountUpdate> pageCounts;
  private final Sink<DeadLetter> deadLetters;
  private final Sink<PageViewEvent> lateEvents;

  public SpeedLayerJob(
      TidemarkConfig config,
      Source<SourceRecord, ?, ?> source,
      Sink<CountUpdate> userCounts,
      Sink<CountUpdate> pageCounts,
      Sink<DeadLetter> deadLetters,
      Sink<PageViewEvent> lateEvents) {
    this.config = config;
    this.source = source;
    this.userCounts = userCounts;
    this.pageCounts = pageCounts;
    this.deadLetters = deadLetters;
    this.lateEvents = lateEvents;
  }

  /** The job with the real Kafka source and sinks and the ClickHouse sink of {@code config}. */
  public static SpeedLayerJob fromConfig(TidemarkConfig config) {
    return fromConfig(config, false);
  }

  /** As {@link #fromConfig(TidemarkConfig)}; {@code bounded} ends the job at the latest offsets of its start. */
  public static SpeedLayerJob fromConfig(TidemarkConfig config, boolean bounded) {
    return new SpeedLayerJob(
        config,
        kafkaSource(config, bounded),
        countSink(config, CountMetric.USER),
        countSink(config, CountMetric.PAGE),
        KafkaSink.<DeadLetter>builder()
            .setBootstrapServers(config.require(KafkaOptions.BOOTSTRAP))
            .setKafkaProducerConfig(producerProperties(config))
            .setRecordSerializer(new DeadLetterSerializer(config.get(KafkaOptions.DLQ_TOPIC)))
            .setDeliveryGuarantee(sideOutputGuarantee(config))
            .setTransactionalIdPrefix(config.get(SpeedOptions.JOB_NAME) + "-dlq")
            .build(),
        KafkaSink.<PageViewEvent>builder()
            .setBootstrapServers(config.require(KafkaOptions.BOOTSTRAP))
            .setKafkaProducerConfig(producerProperties(config))
            .setRecordSerializer(new LateEventSerializer(config.get(KafkaOptions.LATE_TOPIC)))
            .setDeliveryGuarantee(sideOutputGuarantee(config))
            .setTransactionalIdPrefix(config.get(SpeedOptions.JOB_NAME) + "-late")
            .build());
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    Duration outOfOrderness = config.get(SpeedOptions.OUT_OF_ORDERNESS);
    Duration lateness = config.get(SpeedOptions.ALLOWED_LATENESS);
    SingleOutputStreamOperator<PageViewEvent> events =
        env.fromSource(source, watermarks(config), "pageview-events")
            .uid("pageview-events-source")
            .process(new DeadLetterRouter(DEAD_LETTERS), PageViewEventTypeInfo.INSTANCE)
            .name("route-dead-letters")
            .uid("route-dead-letters");
    events.getSideOutput(DEAD_LETTERS).sinkTo(deadLetters).name("dead-letter-topic").uid("dead-letter-topic");

    SingleOutputStreamOperator<CountUpdate> perUser =
        events
            .keyBy(new MetricKeySelector(CountMetric.USER))
            .transform(
                "dedup-and-count-per-user",
                TypeInformation.of(CountUpdate.class),
                new WindowCountOperator(
                    new WindowCountFunction(CountMetric.USER, true, outOfOrderness, lateness, LATE, COUNTED)))
            .uid("count-per-user");
    perUser.sinkTo(userCounts).name("clickhouse-user-counts").uid("clickhouse-user-counts");

    SingleOutputStreamOperator<CountUpdate> perPage =
        perUser
            .getSideOutput(COUNTED)
            .transform(
                "combine-page-deltas",
                TypeInformation.of(PageDelta.class),
                new PageDeltaCombiner(
                    config.get(SpeedOptions.PAGE_COMBINE_MAX_CELLS),
                    config.get(SpeedOptions.PAGE_COMBINE_MAX_DELAY).toMillis()))
            .uid("combine-page-deltas")
            .keyBy(PageDelta::page)
            .process(new PageDeltaCountFunction(lateness))
            .name("count-per-page")
            .uid("count-per-page");
    perPage.sinkTo(pageCounts).name("clickhouse-page-counts").uid("clickhouse-page-counts");

    perUser.getSideOutput(LATE).sinkTo(lateEvents).name("late-topic").uid("late-topic");
  }

  /**
   * Event time from each record's {@code timestamp}, watermarks {@code out-of-orderness} behind the
   * highest seen per Kafka partition, idle partitions released after {@code idleness}.
   */
  public static WatermarkStrategy<SourceRecord> watermarks(TidemarkConfig config) {
    return WatermarkStrategy.<SourceRecord>forBoundedOutOfOrderness(config.get(SpeedOptions.OUT_OF_ORDERNESS))
        .withTimestampAssigner((record, kafkaTimestamp) -> record.eventTime())
        .withIdleness(config.get(SpeedOptions.IDLENESS));
  }

  /** Builds the pipeline and submits it without waiting for it to end. */
  public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
    build(env);
    return env.executeAsync(config.get(SpeedOptions.JOB_NAME));
  }

  /** Builds the pipeline and runs it until it ends (never, for an unbounded source). */
  public void execute(StreamExecutionEnvironment env) throws Exception {
    build(env);
    env.execute(config.get(SpeedOptions.JOB_NAME));
  }

  /**
   * Flink settings derived from the speed layer's options: exactly-once checkpoints retained on
   * cancellation, the state backend, object reuse (every function here treats its input as
   * immutable and keeps no reference to it, so chained operators may pass objects without copies),
   * and the restore path.
   */
  public static Configuration flinkConfiguration(TidemarkConfig cfg) {
    Map<String, String> m = new HashMap<>();
    m.put("execution.checkpointing.interval", cfg.get(SpeedOptions.CHECKPOINT_INTERVAL).toMillis() + " ms");
    m.put("execution.checkpointing.mode", "EXACTLY_ONCE");
    m.put("execution.checkpointing.dir", checkpointUri(cfg.require(SpeedOptions.CHECKPOINT_DIR)));
    m.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    m.put("execution.checkpointing.num-retained", "3");
    m.put("execution.checkpointing.incremental", String.valueOf(cfg.get(SpeedOptions.INCREMENTAL_CHECKPOINTS)));
    m.put("state.backend.type", cfg.get(SpeedOptions.STATE_BACKEND).toLowerCase(Locale.ROOT));
    m.put("pipeline.object-reuse", "true");
    m.put("pipeline.name", cfg.get(SpeedOptions.JOB_NAME));
    m.put("parallelism.default", String.valueOf(cfg.get(SpeedOptions.PARALLELISM)));
    m.put("restart-strategy.type", "exponential-delay");
    m.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
    m.put("restart-strategy.exponential-delay.max-backoff", "30 s");
    m.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "2147483647");
    return Configuration.fromMap(m);
  }

  /** A local path becomes an absolute file URI; URIs (s3://, hdfs://, file://) stay as they are. */
  static String checkpointUri(String dir) {
    if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return dir;
    }
    return Path.of(dir).toAbsolutePath().normalize().toUri().toString();
  }

  static KafkaSource<SourceRecord> kafkaSource(TidemarkConfig cfg) {
    return kafkaSource(cfg, false);
  }

  /**
   * The Kafka source of the job; {@code bounded} stops at the offsets that are the latest at start
   * (benchmarks over a pre-loaded backlog), else it runs forever.
   */
  public static KafkaSource<SourceRecord> kafkaSource(TidemarkConfig cfg, boolean bounded) {
    Properties props = kafkaClientProperties(cfg);
    props.setProperty("commit.offsets.on.checkpoint", "true");
    props.setProperty("partition.discovery.interval.ms", "60000");
    props.setProperty("client.id.prefix", cfg.get(SpeedOptions.JOB_NAME));
    props.setProperty("isolation.level", "read_committed");
    props.setProperty("fetch.min.bytes", "65536");
    props.setProperty("fetch.max.wait.ms", "100");
    props.setProperty("max.poll.records", "5000");
    var builder =
        KafkaSource.<SourceRecord>builder()
            .setBootstrapServers(cfg.require(KafkaOptions.BOOTSTRAP))
            .setTopics(cfg.get(KafkaOptions.EVENTS_TOPIC))
            .setGroupId(cfg.get(SpeedOptions.CONSUMER_GROUP))
            .setStartingOffsets(StartingOffsets.parse(cfg.get(SpeedOptions.STARTING_OFFSETS)))
            .setDeserializer(new PageViewDeserializer(io.tidemark.core.event.RegistrySettings.fromConfig(cfg)))
            .setProperties(props);
    if (bounded) {
      builder.setBounded(org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer.latest());
    }
    return builder.build();
  }

  public static ClickHouseCountSink countSink(TidemarkConfig cfg, CountMetric metric) {
    return ClickHouseCountSink.builder()
        .metric(metric)
        .store(countStore(cfg))
        .batchSize(cfg.get(SpeedOptions.SINK_BATCH_SIZE))
        .flushInterval(cfg.get(SpeedOptions.EARLY_FIRE_INTERVAL))
        .maxRetries(cfg.get(SpeedOptions.SINK_MAX_RETRIES))
        .retryBackoff(cfg.get(SpeedOptions.SINK_RETRY_BACKOFF))
        .maxBackoff(cfg.get(SpeedOptions.SINK_MAX_BACKOFF))
        .build();
  }

  static CountStore.Factory countStore(TidemarkConfig cfg) {
    return ClickHouseCountStore.builder()
        .url(cfg.require(ClickHouseOptions.URL))
        .database(cfg.get(ClickHouseOptions.DATABASE))
        .user(cfg.get(ClickHouseOptions.USER))
        .password(cfg.get(ClickHouseOptions.PASSWORD))
        .timeout(cfg.get(SpeedOptions.SINK_TIMEOUT))
        .build();
  }

  /** Security settings shared by every Kafka client of the job. */
  static Properties kafkaClientProperties(TidemarkConfig cfg) {
    Properties p = new Properties();
    p.setProperty("security.protocol", cfg.get(KafkaOptions.SECURITY_PROTOCOL));
    if (cfg.isSet(KafkaOptions.SASL_MECHANISM)) {
      p.setProperty("sasl.mechanism", cfg.get(KafkaOptions.SASL_MECHANISM));
    }
    if (cfg.isSet(KafkaOptions.SASL_JAAS_CONFIG)) {
      p.setProperty("sasl.jaas.config", cfg.get(KafkaOptions.SASL_JAAS_CONFIG));
    }
    return p;
  }

  /** Producer settings of the side-output sinks; transactions must fit the broker's 15 min default limit. */
  static Properties producerProperties(TidemarkConfig cfg) {
    Properties p = kafkaClientProperties(cfg);
    p.setProperty("transaction.timeout.ms", "900000");
    p.setProperty("linger.ms", "20");
    return p;
  }

  private static DeliveryGuarantee sideOutputGuarantee(TidemarkConfig cfg) {
    return cfg.get(SpeedOptions.SIDE_OUTPUT_GUARANTEE).equals("exactly-once")
        ? DeliveryGuarantee.EXACTLY_ONCE
        : DeliveryGuarantee.AT_LEAST_ONCE;
  }
}
