package io.tidemark.lake;

import static io.tidemark.lake.LakeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.lake.check.ArchiveStatus;
import io.tidemark.lake.check.ArchiveVerifier;
import io.tidemark.lake.connect.ConnectWorker;
import io.tidemark.lake.table.ArchiveMaintenance;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Generator traffic (invalid, duplicate and too-late events included) through a real Kafka
 * Connect worker into the Iceberg table on s3proxy: the table holds exactly the topic's records.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TidemarkConfig cfg;
  private static ConnectWorker worker;
  private static JdbcCatalog catalog;
  private static GroundTruth truth;

  @BeforeAll
  static void start() throws Exception {
    cfg = isolated(TestServices.get(Service.KAFKA, Service.S3, Service.CATALOG).config(), "archive_it");
    createTopic(cfg, 4);
    GeneratorSpec spec = GeneratorSpec.builder().rate(2000).duration(Duration.ofSeconds(2)).users(50).pages(20).seed(7)
        .invalidFraction(0.05).duplicateFraction(0.05).lateFraction(0.05).build();
    truth = TrafficGenerator.builder().config(cfg).spec(spec).paced(false).build().run(null);
    worker = ConnectWorker.builder().config(cfg).build();
    worker.start();
    catalog = catalog(cfg);
  }

  @AfterAll
  static void stop() throws Exception {
    if (worker != null) {
      worker.stop(Duration.ofSeconds(20));
    }
    if (catalog != null) {
      catalog.close();
    }
  }

  @Test
  @Order(1)
  void archivesExactlyTheRecordsOfTheTopicIncludingInvalidDuplicateAndLateOnes() throws Exception {
    List<TopicRecord> topic = readTopic(cfg);
    assertThat(topic).hasSize((int) truth.produced());
    Table table = table(catalog, cfg);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .until(() -> rowCount(table) >= topic.size());

    List<Row> rows = readRows(table);
    assertThat(rows).hasSize(topic.size());
    Map<String, Row> byOffset = rows.stream().collect(Collectors.toMap(Row::key, Function.identity()));
    assertThat(byOffset).hasSize(topic.size()); // no offset twice
    long invalid = 0;
    for (TopicRecord r : topic) {
      Row row = byOffset.get(r.key());
      assertThat(row).as("record %s archived", r.key()).isNotNull();
      assertThat(row.topic()).isEqualTo(cfg.get(KafkaOptions.EVENTS_TOPIC));
      boolean valid = PageViewParser.parse(r.value(), r.timestamp()).isValid();
      assertThat(row.valid()).as("validity of %s", r.key()).isEqualTo(valid);
      if (row.valid()) {
        assertThat(row.eventId()).isEqualTo(JSON.readTree(r.value()).get("event_id").asText());
        assertThat(row.raw()).isNull();
      } else {
        invalid++;
        assertThat(row.raw()).isEqualTo(r.value());
        assertThat(row.reason()).isNotBlank();
      }
    }
    assertThat(invalid).isEqualTo(truth.invalid());
    Set<String> archivedIds = rows.stream().filter(Row::valid).map(Row::eventId).collect(Collectors.toSet());
    assertThat(archivedIds).containsAll(truth.tooLateEventIds());
    assertThat(rows.stream().filter(Row::valid).count()).isEqualTo(truth.validDistinct() + truth.duplicates());
  }

  @Test
  @Order(2)
  void verifyIsCleanAndStatusShowsNoLag() {
    Table table = table(catalog, cfg);
    try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
      ArchiveVerifier.Report report = new ArchiveVerifier(table, c, cfg.get(KafkaOptions.EVENTS_TOPIC)).verify();
      assertThat(report.findings()).isEmpty();
      assertThat(report.kafkaRows()).isEqualTo(truth.produced());
      ArchiveStatus.Status status = ArchiveStatus.of(table, c, cfg.get(KafkaOptions.EVENTS_TOPIC));
      assertThat(status.totalLag()).isZero();
      assertThat(status.rows()).isEqualTo(truth.produced());
      assertThat(status.rowsPerDay().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(truth.produced());
    }
  }

  @Test
  @Order(2)
  void awaitSeesTheArchiveCaughtUpAtEveryPartitionsLastRecord() throws Exception {
    Map<Integer, Long> lastOffsets = new java.util.TreeMap<>();
    readTopic(cfg).forEach(r -> lastOffsets.merge(r.partition(), r.offset(), Math::max));
    try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
      io.tidemark.lake.check.ArchiveCatchUp.Result r = io.tidemark.lake.check.ArchiveCatchUp.await(
          table(catalog, cfg), c, cfg.get(KafkaOptions.EVENTS_TOPIC), Duration.ofSeconds(60), Duration.ofSeconds(1), System::nanoTime);
      assertThat(r.caughtUp()).as("behind: %s", r.behind()).isTrue();
      assertThat(r.targets()).isEqualTo(lastOffsets).hasSize(4);
    }
  }

  @Test
  @Order(2)
  void awaitOnATopicTheArchiveDoesNotReadFailsNamingEachPartitionBehind() throws Exception {
    String other = cfg.get(KafkaOptions.EVENTS_TOPIC) + "_unarchived";
    TidemarkConfig otherCfg = cfg.with(KafkaOptions.EVENTS_TOPIC, other);
    createTopic(otherCfg, 2);
    // partition 0 in a transaction: records at 0-2, its commit marker at offset 3 (never archived)
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP),
        "transactional.id", other + "-tx"), new ByteArraySerializer(), new ByteArraySerializer())) {
      p.initTransactions();
      p.beginTransaction();
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>(other, 0, null, ("r" + i).getBytes()));
      }
      p.commitTransaction();
    }
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP)),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(other, 1, null, "s".getBytes())).get();
    }
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = LakeMain.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    java.io.PrintStream stdErr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      List<String> args = new java.util.ArrayList<>(List.of("await", "--timeout", "3s", "--poll", "1s"));
      otherCfg.explicitValues().forEach((k, v) -> args.add("-D" + k + "=" + v));
      code = cl.execute(args.toArray(String[]::new));
    } finally {
      System.setErr(stdErr);
    }
    String line = captured.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(code).as(line + err).isEqualTo(1);
    assertThat(line.lines().filter(l -> l.startsWith("lake await:"))).containsExactly(
        "lake await: the archive is still behind " + other + " after 3s: partition 0 (record at offset 2 not archived),"
            + " partition 1 (record at offset 0 not archived) (is the archive running? see ./tidemark lake status)");

    assertThat(LakeMain.commandLine().execute("await", "--timeout", "soon")).isEqualTo(2);
  }

  @Test
  @Order(3)
  void newOptionalEventFieldBecomesAColumnWithoutRestart() throws Exception {
    Table table = table(catalog, cfg);
    long before = rowCount(table);
    String event = "{\"event_id\":\"evo-1\",\"user_id\":\"u\",\"page_url\":\"/new\",\"timestamp\":"
        + System.currentTimeMillis() + ",\"referrer\":\"https://example.org/\"}";
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP)),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(cfg.get(KafkaOptions.EVENTS_TOPIC), "u".getBytes(), event.getBytes())).get();
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> rowCount(table) > before);
    table.refresh();
    assertThat(table.schema().findField("referrer")).isNotNull();
    assertThat(table.schema().findField("referrer").isOptional()).isTrue();
    assertThat(worker.process().isAlive()).isTrue();
  }

  @Test
  @Order(4)
  void maintainDuringWritesKeepsEveryRowAndReducesFiles() throws Exception {
    Table table = table(catalog, cfg);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    long filesBefore;
    ArchiveMaintenance.Result result;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP)),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      long snapshots = table.currentSnapshot().sequenceNumber();
      int n = 0;
      // keep writing across several commits, and run maintenance in the middle of it
      while (table.currentSnapshot().sequenceNumber() < snapshots + 4) {
        for (int i = 0; i < 100; i++, n++) {
          String e = "{\"event_id\":\"m-" + n + "\",\"user_id\":\"u" + (n % 7) + "\",\"page_url\":\"/m\",\"timestamp\":" + System.currentTimeMillis() + "}";
          p.send(new ProducerRecord<>(topic, ("u" + (n % 7)).getBytes(), e.getBytes()));
        }
        Thread.sleep(100);
        table.refresh();
      }
      filesBefore = table.currentSnapshot().summary().containsKey("total-data-files")
          ? Long.parseLong(table.currentSnapshot().summary().get("total-data-files")) : 0;
      result = new ArchiveMaintenance(table, cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE), Duration.ofMillis(1), 2).run();
      for (int i = 0; i < 500; i++, n++) {
        String e = "{\"event_id\":\"m-" + n + "\",\"user_id\":\"u" + (n % 7) + "\",\"page_url\":\"/m\",\"timestamp\":" + System.currentTimeMillis() + "}";
        p.send(new ProducerRecord<>(topic, ("u" + (n % 7)).getBytes(), e.getBytes()));
      }
      p.flush();
    }
    // the sink keeps appending during maintenance: compare what was compacted, and the whole
    // table against the topic below
    assertThat(result.rowsCompactedOut()).isEqualTo(result.rowsCompactedIn()).isPositive();
    assertThat(result.filesCompactedOut()).isLessThan(result.filesCompactedIn());
    assertThat(result.partitionsCompacted()).isPositive();
    List<TopicRecord> all = readTopic(cfg);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> rowCount(table) >= all.size());
    Thread.sleep(cfg.get(LakeArchiveOptions.COMMIT_INTERVAL).toMillis() * 2);
    table.refresh();
    StringBuilder history = new StringBuilder();
    table.snapshots().forEach(s -> history.append("\n  ").append(s.snapshotId()).append(' ').append(s.operation()).append(' ')
        .append(s.summary()));
    try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
      assertThat(new ArchiveVerifier(table, c, topic).verify().findings()).as("snapshots:%s", history).isEmpty();
    }
    assertThat(rowCount(table)).as("snapshots:%s", history).isEqualTo(all.size());
    System.out.printf("[ArchiveIT] maintain during writes: %d files (%d rows) compacted into %d; table files %d -> %d, snapshots %d -> %d; %d rows = topic%n",
        result.filesCompactedIn(), result.rowsCompactedIn(), result.filesCompactedOut(), filesBefore, result.filesAfter(),
        result.snapshotsBefore(), result.snapshotsAfter(), all.size());
  }

  @Test
  @Order(5)
  void aSecondWorkerForTheSameConnectorIsRefused() {
    assertThatThrownBy(() -> ConnectWorker.builder().config(cfg).build().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is already running (pid " + worker.process().pid())
        .hasMessageEndingWith("two workers would run two commit coordinators. Stop it first.");
  }
}
