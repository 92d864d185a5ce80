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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@code lake run}'s restart contract as a user meets it: the command itself (a child JVM running
 * {@code LakeMain run}, which starts the worker JVM) is killed with SIGKILL, then its worker JVM is,
 * and each time {@code lake run} is simply started again while events keep arriving. Every record
 * of the topic ends up in the table exactly once (by partition and offset) and {@code lake verify}
 * is clean. ({@link CrashIT} kills the worker at the points of the sink's commit protocol.)
 */
class LakeRunRestartIT {
  @Test
  void killMinusNineOfLakeRunOrItsWorkerThenPlainLakeRunArchivesEveryRecordOnce() throws Exception {
    TidemarkConfig cfg = isolated(TestServices.get(Service.KAFKA, Service.S3, Service.CATALOG).config(), "lake_run_it");
    createTopic(cfg, 2);
    Path config = Files.createTempFile("lake-run-it", ".properties");
    Properties props = new Properties();
    props.putAll(cfg.explicitValues());
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(out, null);
    }
    Path workerPid = ConnectWorker.builder().config(cfg).build().dir().resolve("worker.pid");
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread producer = new Thread(() -> produce(cfg, "run-", producing, sent, failure), "lake-run-it-producer");
    List<String> log = new ArrayList<>();
    Process lakeRun = null;
    try (JdbcCatalog catalog = catalog(cfg)) {
      lakeRun = lakeRun(config);
      producer.start();
      Table table = awaitTable(catalog, cfg);
      awaitMoreRows(table, 0);

      // 1. kill -9 of `lake run`: its worker JVM is orphaned and keeps running
      long orphan = Long.parseLong(Files.readString(workerPid).trim());
      lakeRun.destroyForcibly();
      lakeRun.waitFor();
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("orphaned worker").contains(true);
      long t0 = System.nanoTime();
      lakeRun = lakeRun(config);
      // the plain restart stops the orphan and starts a worker of its own, which archives
      await().atMost(Duration.ofMinutes(1)).until(() -> ProcessHandle.of(orphan).map(h -> !h.isAlive()).orElse(true));
      await().atMost(Duration.ofMinutes(1)).until(() -> Long.parseLong(Files.readString(workerPid).trim()) != orphan);
      awaitMoreRows(table, rowCount(table));
      log.add("lake run killed: " + (System.nanoTime() - t0) / 1_000_000 + " ms to new rows");

      // 2. kill -9 of the worker JVM: `lake run` ends with it; started again, it resumes
      long worker = Long.parseLong(Files.readString(workerPid).trim());
      ProcessHandle.of(worker).ifPresent(ProcessHandle::destroyForcibly);
      assertThat(lakeRun.waitFor(1, TimeUnit.MINUTES)).as("lake run ends with its worker").isTrue();
      assertThat(lakeRun.exitValue()).isNotZero();
      t0 = System.nanoTime();
      lakeRun = lakeRun(config);
      awaitMoreRows(table, rowCount(table));
      log.add("worker killed: " + (System.nanoTime() - t0) / 1_000_000 + " ms to new rows");

      producing.set(false);
      producer.join();
      assertThat(failure.get()).isNull();
      List<TopicRecord> topic = readTopic(cfg);
      assertThat(topic).hasSize((int) sent.get());
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> rowCount(table) >= topic.size());
      // one more commit cycle: nothing may arrive twice later
      Thread.sleep(cfg.get(LakeArchiveOptions.COMMIT_INTERVAL).toMillis() * 2);
      Map<String, Long> perOffset = readRows(table).stream().collect(Collectors.groupingBy(Row::key, Collectors.counting()));
      Set<String> expected = topic.stream().map(TopicRecord::key).collect(Collectors.toSet());
      assertThat(perOffset.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
          .as("offsets archived more than once").isEmpty();
      assertThat(perOffset.keySet()).as("archived offsets").isEqualTo(expected);
      try (KafkaConsumer<byte[], byte[]> c = consumer(cfg)) {
        assertThat(new ArchiveVerifier(table, c, cfg.get(KafkaOptions.EVENTS_TOPIC)).verify().findings()).isEmpty();
      }
      System.out.printf("[LakeRunRestartIT] %d records produced, %d archived once each; %s%n", topic.size(),
          perOffset.size(), log);
    } finally {
      producing.set(false);
      if (lakeRun != null && lakeRun.isAlive()) {
        lakeRun.destroy(); // SIGTERM: its shutdown hook stops the worker
        if (!lakeRun.waitFor(45, TimeUnit.SECONDS)) {
          lakeRun.destroyForcibly();
        }
      }
      if (Files.exists(workerPid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(workerPid).trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
      Files.deleteIfExists(config);
    }
  }

  /** {@code lake run --config FILE} as a child JVM on the module's classpath, output to a file. */
  private static Process lakeRun(Path config) throws Exception {
    Path module = Path.of("").toAbsolutePath();
    String cp = module.resolve("target/classes") + java.io.File.pathSeparator
        + Files.readString(module.resolve("target/classpath.txt")).trim();
    Path out = Files.createTempFile(module.resolve("target"), "lake-run-it", ".out"); // kept for a failed run
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", cp, "io.tidemark.lake.LakeMain", "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private static Table awaitTable(JdbcCatalog catalog, TidemarkConfig cfg) {
    return await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> table(catalog, cfg), t -> t != null);
  }

  private static void awaitMoreRows(Table table, long than) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> rowCount(table) > than);
  }
}
