package io.tidemark.lake;

import static io.tidemark.lake.LakeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.check.ArchiveVerifier;
import io.tidemark.lake.connect.ConnectWorker;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import io.tidemark.lake.connect.ArchiveConnectorConfig;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.core.ConditionTimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kills the Connect worker with SIGKILL at the dangerous steps of Iceberg's commit protocol while
 * events keep arriving, restarts it each time, and checks that every record of the topic is in
 * the table exactly once and that {@code lake verify} is clean.
 */
class CrashIT {
  private static final int RECORDS = 3000;
  private ConnectWorker worker;

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.stop(Duration.ofSeconds(20));
    }
  }

  @Test
  void everyRecordIsArchivedExactlyOnceAcrossRepeatedKillMinusNine() throws Exception {
    TidemarkConfig cfg = isolated(TestServices.get(Service.KAFKA, Service.S3, Service.CATALOG).config(), "crash_it");
    createTopic(cfg, 4);
    worker = ConnectWorker.builder().config(cfg).build();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> producerFailure = new AtomicReference<>();
    Thread producer = new Thread(() -> produce(cfg, "crash-", producing, sent, producerFailure), "crash-it-producer");

    List<String> kills = new ArrayList<>();
    try (JdbcCatalog catalog = catalog(cfg)) {
      LogWatcher log = new LogWatcher(worker.logFile());
      worker.start();
      producer.start();
      log.await("Commit complete to table", Duration.ofSeconds(90));
      Table table = table(catalog, cfg);

      // 1. mid-stream, between commits
      Thread.sleep(1500);
      kills.add(killAndRestart(worker, log, "mid-stream"));
      // 2. just after the coordinator sent StartCommit: workers are flushing files
      log.await("Commit .* initiated", Duration.ofSeconds(90));
      kills.add(killAndRestart(worker, log, "after StartCommit"));
      // 3. inside the worker's control-topic transaction (DataWritten + source offsets)
      log.await("Sending event of type: DATA_WRITTEN", Duration.ofSeconds(90));
      kills.add(killAndRestart(worker, log, "during DataWritten transaction"));
      // 4. after the table commit, before the coordinator commits its control-topic offsets
      log.await("Committed snapshot", Duration.ofSeconds(90));
      kills.add(killAndRestart(worker, log, "after table commit, before control offsets"));
      // 5. once more mid-stream
      log.await("Commit complete to table", Duration.ofSeconds(90));
      Thread.sleep(700);
      kills.add(killAndRestart(worker, log, "mid-stream again"));

      producing.set(false);
      producer.join();
      assertThat(producerFailure.get()).isNull();
      List<TopicRecord> topic = readTopic(cfg);
      assertThat(topic).hasSize((int) sent.get());
      awaitRows(cfg, table, topic.size(), Duration.ofSeconds(180));
      // one more commit cycle: nothing may arrive twice later
      Thread.sleep(cfg.get(LakeArchiveOptions.COMMIT_INTERVAL).toMillis() * 2);

      List<Row> rows = readRows(table);
      Map<String, Long> perOffset = rows.stream().collect(Collectors.groupingBy(Row::key, Collectors.counting()));
      Set<String> expected = topic.stream().map(TopicRecord::key).collect(Collectors.toSet());
      assertThat(perOffset.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
          .as("offsets archived more than once after kills %s", kills).isEmpty();
      assertThat(perOffset.keySet()).as("archived offsets after kills %s", kills).isEqualTo(expected);
      Map<String, String> idByOffset = new HashMap<>();
      rows.forEach(r -> idByOffset.put(r.key(), r.eventId()));
      for (TopicRecord r : topic) {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_id\":\"" + idByOffset.get(r.key()) + "\"");
      }
      try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
        ArchiveVerifier.Report report = new ArchiveVerifier(table, c, cfg.get(KafkaOptions.EVENTS_TOPIC)).verify();
        assertThat(report.findings()).as("verify after kills %s", kills).isEmpty();
      }
      System.out.printf("[CrashIT] %d records, %d kills: %s; %d snapshots%n", topic.size(), kills.size(), kills, table.currentSnapshot().sequenceNumber());
    } finally {
      producing.set(false);
    }
  }

  @Test
  void aWorkerKilledBeforeItsFirstTableCommitLosesNothing() throws Exception {
    // apache/iceberg#17551: without ControlTopicGuard the restarted coordinator would start at the
    // end of the control topic and skip the files announced (and source offsets committed) before
    TidemarkConfig cfg = isolated(TestServices.get(Service.KAFKA, Service.S3, Service.CATALOG).config(), "first_commit_it");
    createTopic(cfg, 4);
    worker = ConnectWorker.builder().config(cfg).build();
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Every record must reach the topic before the sink is blamed for a missing one: CI once lost
    // the last batch of a partition (176 records) right after the topic was created, silently, as
    // the test ignored send results. Failed sends are reported and sent again.
    List<Integer> pending = new ArrayList<>();
    for (int n = 0; n < RECORDS; n++) {
      pending.add(n);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int attempt = 1; !pending.isEmpty(); attempt++) {
        assertThat(attempt).as("sends still failing after 5 attempts: %s records", pending.size()).isLessThanOrEqualTo(5);
        Map<Integer, Future<RecordMetadata>> acks = new java.util.LinkedHashMap<>();
        for (int n : pending) {
          String json = "{\"event_id\":\"first-" + n + "\",\"user_id\":\"u" + (n % 5) + "\",\"page_url\":\"/f\",\"timestamp\":" + System.currentTimeMillis() + "}";
          acks.put(n, producer.send(new ProducerRecord<>(topic, ("u" + (n % 5)).getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
        pending = new ArrayList<>();
        for (Map.Entry<Integer, Future<RecordMetadata>> ack : acks.entrySet()) {
          try {
            ack.getValue().get();
          } catch (java.util.concurrent.ExecutionException e) {
            if (pending.isEmpty()) {
              System.out.printf("[CrashIT] send attempt %d failed: %s%n", attempt, e.getCause());
            }
            pending.add(ack.getKey());
          }
        }
      }
    }
    // the expectation is what the topic holds, checked, not the loop bound
    assertThat(readTopic(cfg)).hasSize(RECORDS);
    try (JdbcCatalog catalog = catalog(cfg)) {
      LogWatcher log = new LogWatcher(worker.logFile());
      worker.start();
      // the coordinator has read the worker's DataWritten: the worker's transaction (files + source
      // offsets) is committed, the table commit is not
      log.await("Handled event of type: DATA_WRITTEN", Duration.ofSeconds(90));
      worker.kill();
      Table table = table(catalog, cfg);
      long beforeRestart = rowCount(table);
      worker.start();
      // generous: a restarted worker needs a rebalance and a full commit cycle, slow on 2 loaded cores
      awaitRows(cfg, table, RECORDS, Duration.ofSeconds(300));
      Thread.sleep(cfg.get(LakeArchiveOptions.COMMIT_INTERVAL).toMillis() * 2);
      assertThat(rowCount(table)).isEqualTo(RECORDS);
      try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
        assertThat(new ArchiveVerifier(table, c, topic).verify().findings()).isEmpty();
      }
      System.out.printf("[CrashIT] killed before the first table commit (%d rows committed then); after restart %d rows, verify clean%n", beforeRestart, RECORDS);
    }
  }

  /** Waits for the rows; on timeout fails with the worker's commit protocol log so CI shows why. */
  private void awaitRows(TidemarkConfig cfg, Table table, long rows, Duration timeout) throws Exception {
    try {
      await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> rowCount(table) >= rows);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Expected " + rows + " rows within " + timeout + ", found " + rowCount(table)
          + "; " + sourceOffsets(cfg) + "; worker log (commit protocol lines):\n"
          + LogWatcher.protocolLines(worker.logFile(), 200), e);
    }
  }

  /** The events topic's end offsets next to the sink's committed source offsets, per partition. */
  private static String sourceOffsets(TidemarkConfig cfg) throws Exception {
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    try (Admin admin = Admin.create(KafkaOptions.clientProperties(cfg))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(pi -> latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
      Map<TopicPartition, OffsetAndMetadata> committed = admin
          .listConsumerGroupOffsets(ArchiveConnectorConfig.connectGroupId(cfg)).partitionsToOffsetAndMetadata().get();
      return ends.keySet().stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
          .map(tp -> "p" + tp.partition() + " end " + ends.get(tp).offset() + " committed "
              + (committed.get(tp) == null ? "none" : committed.get(tp).offset()))
          .collect(Collectors.joining(", ", "source offsets [", "]"));
    }
  }

  private static String killAndRestart(ConnectWorker worker, LogWatcher log, String when) throws Exception {
    long t0 = System.nanoTime();
    worker.kill();
    // only the new worker's lines count: the killed one may have committed after the last await
    log.skipToEnd();
    worker.start();
    // the new worker must take over (its coordinator commits) before the next kill
    log.await("Commit complete to table", Duration.ofSeconds(120));
    return when + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms to the next commit)";
  }
}
