package io.tidemark.speed;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every configuration key of the speed layer, declared once. {@code SpeedLayerMain --help} and the
 * table in {@code docs/speed-layer.md} are checked against {@link #all()} by {@code
 * SpeedOptionsTest}.
 */
public final class SpeedOptions {
  private SpeedOptions() {}

  public static final ConfigOption<String> JOB_NAME =
      ConfigOption.stringKey("tidemark.speed.job-name")
          .defaultValue("tidemark-speed-layer")
          .description("Name of the Flink job (web UI, metrics, logs).");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOption.intKey("tidemark.speed.parallelism")
          .defaultValue(2)
          .description("Parallelism of every operator; at most the partition count of the events topic is useful.");

  public static final ConfigOption<String> CONSUMER_GROUP =
      ConfigOption.stringKey("tidemark.speed.consumer-group")
          .defaultValue("tidemark-speed-layer")
          .description("Kafka consumer group; offsets are committed on checkpoints (for monitoring lag; restore uses the checkpoint).");

  public static final ConfigOption<String> STARTING_OFFSETS =
      ConfigOption.stringKey("tidemark.speed.starting-offsets")
          .defaultValue("committed")
          .description("Where a fresh start (no checkpoint) reads from: committed (falls back to earliest), earliest, latest or timestamp:<epoch-ms>.");

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOption.durationKey("tidemark.speed.out-of-orderness")
          .defaultValue(Duration.ofSeconds(5))
          .description("Bound of the event-time watermark behind the highest timestamp seen per Kafka partition.");

  public static final ConfigOption<Duration> IDLENESS =
      ConfigOption.durationKey("tidemark.speed.idleness")
          .defaultValue(Duration.ofSeconds(10))
          .description("A partition without records for this long stops holding back the watermark.");

  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      ConfigOption.durationKey("tidemark.speed.allowed-lateness")
          .defaultValue(Duration.ofMinutes(2))
          .description("How long after a window closes late events still update its count; later ones go to the late topic.");

  public static final ConfigOption<Duration> EARLY_FIRE_INTERVAL =
      ConfigOption.durationKey("tidemark.speed.early-fire-interval")
          .defaultValue(Duration.ofSeconds(1))
          .description("How often the current count of every changed window is written to ClickHouse while it is open (the sink's timed flush).");

  public static final ConfigOption<Duration> PAGE_COMBINE_MAX_DELAY =
      ConfigOption.durationKey("tidemark.speed.page-combine-max-delay")
          .defaultValue(Duration.ofMillis(100))
          .description("Longest time a per-user subtask sums counted events per page and window before sending the sums to the per-page count (also flushed at every watermark and checkpoint).");

  public static final ConfigOption<Integer> PAGE_COMBINE_MAX_CELLS =
      ConfigOption.intKey("tidemark.speed.page-combine-max-cells")
          .defaultValue(10_000)
          .description("Page/window sums a per-user subtask buffers before sending them early.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOption.durationKey("tidemark.speed.checkpoint-interval")
          .defaultValue(Duration.ofSeconds(10))
          .description("Interval of exactly-once checkpoints; also the longest time a dead letter or late event waits in an exactly-once Kafka transaction.");

  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOption.stringKey("tidemark.speed.checkpoint-dir")
          .description("Durable checkpoint directory: a local path or a URI such as s3://bucket/path; unset means speed-layer/checkpoints under the local stack's home.");

  public static final ConfigOption<String> STATE_BACKEND =
      ConfigOption.stringKey("tidemark.speed.state-backend")
          .defaultValue("hashmap")
          .description("State backend: hashmap (heap, fastest) or rocksdb (incremental checkpoints, state larger than memory).");

  public static final ConfigOption<Boolean> INCREMENTAL_CHECKPOINTS =
      ConfigOption.booleanKey("tidemark.speed.incremental-checkpoints")
          .defaultValue(true)
          .description("Incremental checkpoints (effective with rocksdb).");

  public static final ConfigOption<String> RESTORE_FROM =
      ConfigOption.stringKey("tidemark.speed.restore-from")
          .defaultValue("latest")
          .description("Where the job's state comes from: 'latest' resumes from the newest completed checkpoint under checkpoint-dir (with none it starts from starting-offsets), a path restores that checkpoint or savepoint, 'none' starts over without state (--fresh). A checkpoint that cannot be restored fails the start, naming it.");

  public static final ConfigOption<String> SIDE_OUTPUT_GUARANTEE =
      ConfigOption.stringKey("tidemark.speed.side-output-guarantee")
          .defaultValue("at-least-once")
          .description("Delivery guarantee of the dead-letter and late topics: at-least-once (duplicates after a restore carry the same source partition/offset headers) or exactly-once (Kafka transactions, visible after each checkpoint).");

  public static final ConfigOption<Integer> SINK_BATCH_SIZE =
      ConfigOption.intKey("tidemark.speed.sink.batch-size")
          .defaultValue(20_000)
          .description("Changed windows buffered before the ClickHouse sink writes without waiting for the flush interval.");

  public static final ConfigOption<Integer> SINK_MAX_RETRIES =
      ConfigOption.intKey("tidemark.speed.sink.max-retries")
          .defaultValue(20)
          .description("Retries of a failed ClickHouse insert (exponential backoff; 20 ride out about 75 s) before the job fails and restarts from its checkpoint.");

  public static final ConfigOption<Duration> SINK_RETRY_BACKOFF =
      ConfigOption.durationKey("tidemark.speed.sink.retry-backoff")
          .defaultValue(Duration.ofMillis(200))
          .description("First backoff between ClickHouse insert retries; doubles on each retry.");

  public static final ConfigOption<Duration> SINK_MAX_BACKOFF =
      ConfigOption.durationKey("tidemark.speed.sink.max-backoff")
          .defaultValue(Duration.ofSeconds(5))
          .description("Longest backoff between ClickHouse insert retries.");

  public static final ConfigOption<Duration> SINK_TIMEOUT =
      ConfigOption.durationKey("tidemark.speed.sink.timeout")
          .defaultValue(Duration.ofSeconds(30))
          .description("Timeout of one ClickHouse insert request.");

  public static final ConfigOption<Integer> WEB_UI_PORT =
      ConfigOption.intKey("tidemark.speed.web-ui-port")
          .defaultValue(8081)
          .description("Port of the Flink web UI of the local MiniCluster (0 picks a free port).");

  public static final ConfigOption<Integer> METRICS_PORT =
      ConfigOption.intKey("tidemark.speed.metrics-port")
          .defaultValue(9249)
          .description("Port of the Prometheus endpoint of the local MiniCluster (-1 disables it).");

  /** Every option of the speed layer, in documentation order. */
  public static List<ConfigOption<?>> all() {
    return List.of(
        JOB_NAME, PARALLELISM, CONSUMER_GROUP, STARTING_OFFSETS, OUT_OF_ORDERNESS, IDLENESS,
        ALLOWED_LATENESS, EARLY_FIRE_INTERVAL, PAGE_COMBINE_MAX_DELAY, PAGE_COMBINE_MAX_CELLS, CHECKPOINT_INTERVAL, CHECKPOINT_DIR, STATE_BACKEND,
        INCREMENTAL_CHECKPOINTS, RESTORE_FROM, SIDE_OUTPUT_GUARANTEE, SINK_BATCH_SIZE,
        SINK_MAX_RETRIES, SINK_RETRY_BACKOFF, SINK_MAX_BACKOFF, SINK_TIMEOUT, WEB_UI_PORT,
        METRICS_PORT);
  }

  /** The options the speed layer reads: its own plus Kafka's and ClickHouse's. */
  public static List<ConfigOption<?>> known() {
    List<ConfigOption<?>> all = new ArrayList<>(all());
    all.addAll(KafkaOptions.all());
    all.addAll(ClickHouseOptions.all());
    all.addAll(io.tidemark.core.config.JvmOptions.all());
    return all;
  }

  /**
   * Cross-field rules that single keys cannot express.
   *
   * @throws ConfigException naming the key to fix
   */
  public static void validate(TidemarkConfig cfg) {
    String backend = cfg.get(STATE_BACKEND).toLowerCase(Locale.ROOT);
    if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
      throw new ConfigException(
          "Invalid value '" + backend + "' for " + STATE_BACKEND.key() + ": expected hashmap or rocksdb");
    }
    String guarantee = cfg.get(SIDE_OUTPUT_GUARANTEE);
    if (!guarantee.equals("at-least-once") && !guarantee.equals("exactly-once")) {
      throw new ConfigException(
          "Invalid value '" + guarantee + "' for " + SIDE_OUTPUT_GUARANTEE.key()
              + ": expected at-least-once or exactly-once");
    }
    io.tidemark.speed.source.StartingOffsets.parse(cfg.get(STARTING_OFFSETS));
    requirePositive(cfg, PARALLELISM);
    requirePositive(cfg, SINK_BATCH_SIZE);
    if (cfg.get(SINK_MAX_RETRIES) < 0) {
      throw new ConfigException(SINK_MAX_RETRIES.key() + " must be 0 or more, got " + cfg.get(SINK_MAX_RETRIES));
    }
    for (ConfigOption<Duration> d :
        List.of(CHECKPOINT_INTERVAL, EARLY_FIRE_INTERVAL, IDLENESS, SINK_RETRY_BACKOFF, SINK_TIMEOUT)) {
      if (cfg.get(d).isNegative() || cfg.get(d).isZero()) {
        throw new ConfigException(d.key() + " must be positive, got " + cfg.get(d));
      }
    }
    if (cfg.get(OUT_OF_ORDERNESS).isNegative() || cfg.get(ALLOWED_LATENESS).isNegative()) {
      throw new ConfigException(
          OUT_OF_ORDERNESS.key() + " and " + ALLOWED_LATENESS.key() + " must not be negative");
    }
  }

  private static void requirePositive(TidemarkConfig cfg, ConfigOption<Integer> option) {
    if (cfg.get(option) <= 0) {
      throw new ConfigException(option.key() + " must be positive, got " + cfg.get(option));
    }
  }
}
