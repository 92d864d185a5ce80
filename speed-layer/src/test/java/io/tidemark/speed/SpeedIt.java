package io.tidemark.speed;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Shared helpers of the speed layer's integration tests (real Kafka, ClickHouse, Flink). */
final class SpeedIt {
  private SpeedIt() {}

  /** A migrated configuration with this test's own database, topics and checkpoint folder. */
  static TidemarkConfig isolatedConfig(String prefix) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path checkpoints = Files.createDirectories(Path.of("target", "it-checkpoints", prefix + "-" + suffix));
    TidemarkConfig cfg =
        TestServices.get(Service.KAFKA, Service.CLICKHOUSE)
            .config()
            .with(ClickHouseOptions.DATABASE, prefix + "_" + suffix)
            .with(KafkaOptions.EVENTS_TOPIC, prefix + "_events_" + suffix)
            .with(KafkaOptions.DLQ_TOPIC, prefix + "_dlq_" + suffix)
            .with(KafkaOptions.LATE_TOPIC, prefix + "_late_" + suffix)
            .with(SpeedOptions.CONSUMER_GROUP, prefix + "-" + suffix)
            .with(SpeedOptions.JOB_NAME, "speed-it-" + prefix + "-" + suffix)
            .with(SpeedOptions.CHECKPOINT_DIR, checkpoints.toAbsolutePath().toString())
            .with(SpeedOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
            .with(SpeedOptions.EARLY_FIRE_INTERVAL, Duration.ofMillis(500))
            .with(SpeedOptions.IDLENESS, Duration.ofSeconds(5))
            .with(SpeedOptions.STARTING_OFFSETS, "earliest")
            .with(SpeedOptions.WEB_UI_PORT, 0)
            .with(SpeedOptions.METRICS_PORT, -1);
    Migrations.run(cfg);
    return cfg;
  }

  /** Waits until every task of the job runs (sources assigned, so the watermark can move). */
  static void awaitRunning(org.apache.flink.core.execution.JobClient job) {
    org.awaitility.Awaitility.await("job running")
        .atMost(Duration.ofSeconds(60))
        .until(() -> job.getJobStatus().get() == org.apache.flink.api.common.JobStatus.RUNNING);
    try {
      Thread.sleep(3_000); // tasks deploy after the job switches to RUNNING
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Traffic with every kind of record: out-of-order, duplicate, invalid and too-late. */
  static GeneratorSpec.Builder mixedTraffic(double rate, Duration duration) {
    long now = System.currentTimeMillis();
    return GeneratorSpec.builder()
        .rate(rate)
        .duration(duration)
        .users(300)
        .pages(40)
        .seed(7)
        .startTime(Instant.ofEpochMilli(now - now % 60_000 - Duration.ofMinutes(30).toMillis()))
        .outOfOrderMs(3_000)
        .lateFraction(0.01)
        .lateBy(Duration.ofMinutes(10))
        .duplicateFraction(0.03)
        .invalidFraction(0.02);
  }

  /** The seed query on a serving table, as (key, window_start ms) -> count. */
  static Map<WindowKey, Long> servingCounts(TidemarkConfig cfg, CountMetric metric) {
    try (ClickHouseSql sql = ClickHouseClients.connect(cfg)) {
      Map<WindowKey, Long> out = new HashMap<>();
      for (Map<String, String> row :
          sql.queryRows(
              "SELECT " + metric.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws, count FROM "
                  + cfg.get(ClickHouseOptions.DATABASE) + "." + metric.servingTable(),
              Map.of())) {
        WindowKey key = new WindowKey(row.get("k"), Long.parseLong(row.get("ws")) * 1000);
        if (out.put(key, Long.parseLong(row.get("count"))) != null) {
          throw new AssertionError("Two rows for " + key + " in " + metric.servingTable());
        }
      }
      return out;
    }
  }

  /** Human-readable differences between expected and actual counts (first 10). */
  static String diff(Map<WindowKey, Long> expected, Map<WindowKey, Long> actual) {
    List<String> d = new ArrayList<>();
    TreeMap<WindowKey, Long> all = new TreeMap<>(expected);
    actual.forEach(all::putIfAbsent);
    for (WindowKey k : all.keySet()) {
      Long e = expected.get(k);
      Long a = actual.get(k);
      if (!java.util.Objects.equals(e, a)) {
        d.add(k + " expected " + e + " got " + a);
      }
    }
    return d.size() + " differences" + (d.isEmpty() ? "" : ": " + d.subList(0, Math.min(10, d.size())));
  }

  /** Every record of a topic, read from the beginning until {@code idle} passes without new ones. */
  static List<ConsumerRecord<byte[], byte[]>> readTopic(TidemarkConfig cfg, String topic, long atLeast, Duration timeout) {
    return readTopic(cfg, topic, atLeast, timeout, false);
  }

  /** As above; {@code readCommitted} hides records of aborted and open Kafka transactions. */
  static List<ConsumerRecord<byte[], byte[]>> readTopic(
      TidemarkConfig cfg, String topic, long atLeast, Duration timeout, boolean readCommitted) {
    Map<String, Object> p = new HashMap<>();
    p.put("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
    p.put("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP));
    p.put("group.id", "speed-it-reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      int emptyPolls = 0;
      while (System.currentTimeMillis() < deadline) {
        var batch = c.poll(Duration.ofMillis(500));
        batch.forEach(out::add);
        emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
        if (out.size() >= atLeast && emptyPolls >= 4) {
          break;
        }
      }
    }
    return out;
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
