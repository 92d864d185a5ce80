package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.batch.BatchOptions;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.metric.Windows;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.reconcile.drift.BatchCell;
import io.tidemark.reconcile.store.BatchCounts;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.LayerProcess;
import io.tidemark.testsupport.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Parity of the two layers on the same input (issue 6): live generated traffic (out-of-order,
 * duplicate, invalid and too-late records) goes to Kafka once; the Flink speed layer, in its own JVM
 * from {@code speed-layer/target/classpath.txt} (Flink and Spark never share a classpath), counts it
 * into ClickHouse; the very records of the topic, with their Kafka partitions, offsets and
 * timestamps, are then put into the lake as its archive stores them (the archive itself is the lake
 * module's tested business), and the Spark batch job counts them into Iceberg. The child JVM is
 * test-support's {@link LayerProcess}, stopped also when the test fails.
 *
 * <p>Asserted exactly on every (key, window) of both metrics: batch counts equal the generator's
 * ground truth; the speed layer's counts equal the batch counts minus the events the batch marks too
 * late for the speed layer, which equals the ground truth of events within lateness; and the batch's
 * too-late figures equal the generator's.
 */
class SpeedBatchParityIT {

  @Test
  void speedAndBatchLayersCountTheSameInputIdentically() throws Exception {
    String suffix = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    int webPort = LayerProcess.freePort();
    Path checkpoints = Files.createDirectories(Path.of("target", "parity-checkpoints", suffix)).toAbsolutePath();
    Map<String, String> v = new TreeMap<>(SparkForTests.config().explicitValues());
    v.putAll(TestServices.get(Service.KAFKA, Service.CLICKHOUSE, Service.S3, Service.CATALOG).config().explicitValues());
    v.put(ClickHouseOptions.DATABASE.key(), "parity_" + suffix);
    v.put(KafkaOptions.EVENTS_TOPIC.key(), "parity_events_" + suffix);
    v.put(KafkaOptions.DLQ_TOPIC.key(), "parity_dlq_" + suffix);
    v.put(KafkaOptions.LATE_TOPIC.key(), "parity_late_" + suffix);
    v.put(BatchOptions.EVENTS_TABLE.key(), "parity_events_" + suffix);
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_parity_" + suffix);
    // The speed layer's keys by name: its options class is on the Flink classpath, not here.
    v.put("tidemark.speed.consumer-group", "parity-" + suffix);
    v.put("tidemark.speed.job-name", "parity-" + suffix);
    v.put("tidemark.speed.checkpoint-dir", checkpoints.toString());
    v.put("tidemark.speed.checkpoint-interval", "2s");
    v.put("tidemark.speed.early-fire-interval", "500ms");
    v.put("tidemark.speed.idleness", "5s");
    v.put("tidemark.speed.starting-offsets", "earliest");
    v.put("tidemark.speed.web-ui-port", Integer.toString(webPort));
    v.put("tidemark.speed.metrics-port", "-1");
    TidemarkConfig cfg = TidemarkConfig.of(v);
    Migrations.run(cfg);
    Path log = Path.of("target", "parity-speed-layer-" + suffix + ".log").toAbsolutePath();

    GroundTruth truth;
    try (LayerProcess speed = LayerProcess.builder("speed-layer", "io.tidemark.speed.SpeedLayerMain")
        .config(cfg).jvmArg("-Xmx1g").arg("run").log(log).start()) {
      awaitJobRunning(speed, webPort);
      // Live traffic, as in production: too-late events are sent once the watermark has moved on.
      long now = System.currentTimeMillis();
      truth = TrafficGenerator.builder().config(cfg).spec(GeneratorSpec.builder()
              .startTime(Instant.ofEpochMilli(now)).rate(500).duration(Duration.ofSeconds(40))
              .users(200).pages(30).seed(21).outOfOrderMs(3_000).lateFraction(0.01)
              .lateBy(Duration.ofMinutes(10)).duplicateFraction(0.03).invalidFraction(0.02).build())
          .build().run(null);
      assertThat(truth.tooLate()).isPositive();
      assertThat(truth.duplicates()).isPositive();
      assertThat(truth.invalid()).isPositive();
      for (CountMetric m : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(m);
        Awaitility.await(m.servingTable() + " from the speed layer").atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofSeconds(2))
            .until(() -> servedCounts(cfg, m).equals(expected) || !speed.isAlive());
        speed.assertAlive();
      }
    }

    // The same records into the lake, then the Spark job for every day they touch.
    BatchJob batch = BatchJob.create(SparkForTests.spark(), cfg);
    LakeRows.createEventsTable(SparkForTests.spark(), batch.tables().events());
    LakeRows lake = new LakeRows();
    List<ConsumerRecord<byte[], byte[]>> records = readTopic(cfg);
    assertThat(records).hasSize((int) truth.produced());
    records.forEach(r -> lake.addKafkaRecord(r.value(), r.topic(), r.partition(), r.offset(), r.timestamp()));
    lake.appendTo(SparkForTests.spark(), batch.tables().events());

    TreeSet<LocalDate> days = new TreeSet<>();
    truth.counts(CountMetric.USER).keySet().forEach(k -> days.add(Windows.day(k.windowStart())));
    for (LocalDate day : days) {
      batch.run(day);
      BatchCounts b = BatchCounts.read(SparkForTests.spark(), batch.tables(), day);
      assertThat(b).as("batch result of " + day).isNotNull();
      for (CountMetric m : CountMetric.values()) {
        Map<WindowKey, Long> batchCounts = new HashMap<>();
        Map<WindowKey, Long> batchTooLate = new HashMap<>();
        Map<WindowKey, Long> batchWithinLateness = new HashMap<>();
        for (Map.Entry<WindowKey, BatchCell> e : b.collectCells(SparkForTests.spark(), batch.tables(), m).entrySet()) {
          batchCounts.put(e.getKey(), e.getValue().count());
          if (e.getValue().tooLate() > 0) {
            batchTooLate.put(e.getKey(), e.getValue().tooLate());
          }
          if (e.getValue().count() > e.getValue().tooLate()) {
            batchWithinLateness.put(e.getKey(), e.getValue().count() - e.getValue().tooLate());
          }
        }
        Map<WindowKey, Long> speedCounts = LakeRows.ofDay(servedCounts(cfg, m), day, k -> k);
        Map<WindowKey, Long> truthCounts = LakeRows.ofDay(truth.counts(m), day, k -> k);
        Map<WindowKey, Long> truthSpeed = LakeRows.ofDay(truth.speedCounts(m), day, k -> k);
        System.out.printf("parity %s %s: ground truth %d events in %d cells (%d within lateness in %d cells);"
                + " batch %d in %d cells, %d too late; speed %d in %d cells%n", day, m.servingTable(),
            sum(truthCounts), truthCounts.size(), sum(truthSpeed), truthSpeed.size(), sum(batchCounts),
            batchCounts.size(), sum(batchTooLate), sum(speedCounts), speedCounts.size());
        assertThat(diff(truthCounts, batchCounts)).as("batch vs ground truth, " + m + " " + day).isEmpty();
        assertThat(diff(LakeRows.ofDay(truth.tooLateCounts(m), day, k -> k), batchTooLate))
            .as("batch too-late vs ground truth, " + m + " " + day).isEmpty();
        assertThat(diff(batchWithinLateness, speedCounts)).as("speed vs batch within lateness, " + m + " " + day)
            .isEmpty();
        assertThat(diff(truthSpeed, speedCounts)).as("speed vs ground truth within lateness, " + m + " " + day)
            .isEmpty();
      }
    }
  }

  /** Waits until the Flink job reports RUNNING on its REST API, so the traffic that follows is live. */
  static void awaitJobRunning(LayerProcess speed, int webPort) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + webPort + "/jobs/overview"))
        .timeout(Duration.ofSeconds(2)).build();
    Awaitility.await("speed layer job running (log " + speed.log() + ")").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1)).ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
        .until(() -> {
          speed.assertAlive();
          return http.send(req, HttpResponse.BodyHandlers.ofString()).body().contains("\"state\":\"RUNNING\"");
        });
    try {
      Thread.sleep(5_000); // tasks deploy after the job switches to RUNNING
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The seed's query: (key, window) to count, failing on a key served twice. */
  static Map<WindowKey, Long> servedCounts(TidemarkConfig cfg, CountMetric m) {
    try (ClickHouseSql sql = ClickHouseClients.connect(cfg)) {
      Map<WindowKey, Long> out = new HashMap<>();
      for (Map<String, String> r : sql.queryRows("SELECT " + m.keyColumn() + " AS k, toUnixTimestamp(window_start) AS ws,"
          + " count AS c FROM {t:Identifier}", Map.of("t", sql.database() + "." + m.servingTable()))) {
        WindowKey k = new WindowKey(r.get("k"), Long.parseLong(r.get("ws")) * 1000);
        if (out.put(k, Long.parseLong(r.get("c"))) != null) {
          throw new AssertionError("Two rows for " + k + " in " + m.servingTable());
        }
      }
      return out;
    }
  }

  /** Every record of the events topic, from the beginning to the end offsets. */
  static List<ConsumerRecord<byte[], byte[]>> readTopic(TidemarkConfig cfg) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.auto.commit", "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 120_000;
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("Could not read " + topic + " to its end offsets " + end + " within 120 s");
        }
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }

  static long sum(Map<WindowKey, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every key whose counts differ, as "key window: expected X, actual Y", sorted. */
  static List<String> diff(Map<WindowKey, Long> expected, Map<WindowKey, Long> actual) {
    TreeMap<WindowKey, Long> all = new TreeMap<>(expected);
    actual.forEach(all::putIfAbsent);
    List<String> out = new ArrayList<>();
    for (WindowKey k : all.keySet()) {
      if (!Objects.equals(expected.get(k), actual.get(k))) {
        out.add(k + ": expected " + expected.get(k) + ", actual " + actual.get(k));
      }
    }
    return out;
  }
}
