package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.speed.sink.DeadLetterSerializer.Headers;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills the speed layer's JVM (MiniCluster and all, {@code kill -9}) at random points while traffic
 * flows, restarts it the plain way each time (no flag: the default resumes from the newest
 * completed checkpoint), and checks the counts are exact, with
 * both delivery guarantees of the dead-letter and late topics: at-least-once (a replayed record
 * may repeat, with the same source headers) and exactly-once (Kafka transactions: a reader with
 * read_committed sees every record once).
 */
class SpeedLayerCrashIT {
  private static final int KILLS = 3;

  @ParameterizedTest(name = "side outputs {0}")
  @ValueSource(strings = {"at-least-once", "exactly-once"})
  void countsStayExactAcrossRepeatedKillsAndRestoresFromTheLatestCheckpoint(String sideOutputGuarantee) throws Exception {
    boolean transactional = sideOutputGuarantee.equals("exactly-once");
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedcrash")
        .with(SpeedOptions.SIDE_OUTPUT_GUARANTEE, sideOutputGuarantee);
    Path checkpoints = Path.of(cfg.get(SpeedOptions.CHECKPOINT_DIR));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Random random = new Random(11);

    Process job = start(cfg, logs.resolve("crash-0.log"));
    CompletableFuture<GroundTruth> traffic = null;
    try {
      awaitCheckpoint(checkpoints, job);
      traffic =
          CompletableFuture.supplyAsync(
              () ->
                  TrafficGenerator.builder()
                      .config(cfg)
                      .spec(SpeedIt.mixedTraffic(1_500, Duration.ofSeconds(60)).seed(23).build())
                      .build()
                      .run(null));
      for (int i = 1; i <= KILLS; i++) {
        Thread.sleep(6_000 + random.nextInt(8_000));
        awaitCheckpoint(checkpoints, job);
        job.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        job = start(cfg, logs.resolve("crash-" + i + ".log"));
      }
      GroundTruth truth = traffic.get(5, TimeUnit.MINUTES);
      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts after " + KILLS + " kills")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(2))
            .untilAsserted(
                () -> {
                  Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
                  assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
                });
      }
      List<ConsumerRecord<byte[], byte[]>> dlq =
          SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), truth.invalid(), Duration.ofSeconds(60), transactional);
      Set<String> sources = new HashSet<>();
      dlq.forEach(r -> sources.add(SpeedIt.header(r, Headers.SOURCE_PARTITION) + "@" + SpeedIt.header(r, Headers.SOURCE_OFFSET)));
      assertThat(sources).hasSize((int) truth.invalid());
      List<ConsumerRecord<byte[], byte[]>> late =
          SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.LATE_TOPIC), truth.tooLate(), Duration.ofSeconds(60), transactional);
      Set<String> lateIds = new HashSet<>();
      late.forEach(r -> lateIds.add(
          ((io.tidemark.core.event.ParseResult.Valid) io.tidemark.core.event.PageViewParser.parse(r.value(), r.timestamp())).event().eventId()));
      assertThat(lateIds).containsAll(truth.tooLateEventIds());
      if (transactional) {
        // every dead letter once: no replayed duplicate reaches a read_committed reader
        assertThat(dlq).hasSize((int) truth.invalid());
        assertThat(late).as("late records, read_committed").hasSize((int) truth.tooLate());
      }
      System.out.printf("[SpeedLayerCrashIT] side outputs %s: %d kills; dead letters %d records for %d invalid; late %d records for %d too late%n",
          sideOutputGuarantee, KILLS, dlq.size(), truth.invalid(), late.size(), truth.tooLate());
    } finally {
      job.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      if (traffic != null) {
        traffic.cancel(true);
      }
    }
  }

  private static void awaitCheckpoint(Path dir, Process job) {
    Awaitility.await("a completed checkpoint")
        .atMost(Duration.ofSeconds(90))
        .until(() -> {
          assertThat(job.isAlive()).as("speed layer JVM alive").isTrue();
          return SpeedLayerMain.latestCheckpoint(dir)
              .filter(p -> {
                try {
                  return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis() > System.currentTimeMillis() - 4_000;
                } catch (java.io.IOException e) {
                  return false;
                }
              })
              .isPresent();
        });
  }

  private static Path privateClasses;

  /**
   * A private copy of target/classes: in a working tree shared with other builds, a concurrent
   * {@code mvn install} can rewrite target/classes while the child JVMs load from it.
   */
  static synchronized Path privateClasses() throws java.io.IOException {
    if (privateClasses == null) {
      Path src = Path.of("target", "classes").toAbsolutePath();
      Path dst = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-classes-");
      try (var files = Files.walk(src)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path t = dst.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t);
          }
        }
      }
      privateClasses = dst;
    }
    return privateClasses;
  }

  @Test
  void aPlainStartRefusesACorruptNewestCheckpointAndFreshStartsOverSayingSo() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedrestore");
    Path checkpoints = Path.of(cfg.get(SpeedOptions.CHECKPOINT_DIR));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Process job = start(cfg, logs.resolve("restore-0.log"));
    try {
      awaitCheckpoint(checkpoints, job);
    } finally {
      job.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    Path newest = SpeedLayerMain.latestCheckpoint(checkpoints).orElseThrow();
    byte[] metadata = Files.readAllBytes(newest.resolve("_metadata"));
    Files.write(newest.resolve("_metadata"), java.util.Arrays.copyOf(metadata, metadata.length / 2));

    Path refusedLog = logs.resolve("restore-1.log");
    Process refused = start(cfg, refusedLog);
    assertThat(refused.waitFor(120, TimeUnit.SECONDS)).as("a refused start exits").isTrue();
    assertThat(refused.exitValue()).isEqualTo(3);
    List<String> lines = Files.readAllLines(refusedLog).stream().filter(l -> l.startsWith("speed-layer: ")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("speed-layer: Cannot restore checkpoint file:" + newest.toAbsolutePath() + ": ")
        .contains("Start over with --fresh");

    Path freshLog = logs.resolve("restore-2.log");
    Process fresh = start(cfg, freshLog, "--fresh");
    try {
      Awaitility.await("a fresh job's first checkpoint, in a new job directory")
          .atMost(Duration.ofSeconds(90))
          .until(() -> {
            assertThat(fresh.isAlive()).as("fresh speed layer JVM alive").isTrue();
            return SpeedLayerMain.latestCheckpoint(checkpoints)
                .filter(p -> !p.getParent().equals(newest.getParent()))
                .isPresent();
          });
      assertThat(Files.readString(freshLog))
          .contains("speed-layer: starting fresh (--fresh) from tidemark.speed.starting-offsets=")
          .contains("ignored, not deleted; the newest is file:" + newest.toAbsolutePath());
    } finally {
      fresh.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    Process resumed = start(cfg, logs.resolve("restore-3.log"));
    try {
      Awaitility.await("a plain start after --fresh resumes from the fresh job's checkpoint")
          .atMost(Duration.ofSeconds(90))
          .until(() -> Files.readString(logs.resolve("restore-3.log")).contains("speed-layer: resuming from checkpoint file:"));
      assertThat(Files.readString(logs.resolve("restore-3.log"))).doesNotContain(newest.toAbsolutePath().toString());
    } finally {
      resumed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SpeedLayerMain in its own JVM on the module's runtime classpath, as the CLI starts it, with no restore flag. */
  static Process start(TidemarkConfig cfg, Path log, String... args) throws Exception {
    String classpath =
        privateClasses()
            + File.pathSeparator
            + Files.readString(Path.of("target", "classpath.txt")).trim();
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx768m");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(SpeedLayerMain.class.getName());
    cfg.explicitValues().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
