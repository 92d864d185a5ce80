package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.LayerProcess;
import io.tidemark.testsupport.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The real Flink speed layer for serving tests: {@code SpeedLayerMain run} in a child JVM on
 * speed-layer/target/classpath.txt (serving never has Flink on its classpath), against a database,
 * topics and consumer group of the test's own on the JVM's Kafka and ClickHouse.
 *
 * <p>The {@code tidemark.speed.*} keys are spelled out here because SpeedOptions lives on the
 * speed layer's classpath; the child validates them at start and fails on a misspelled one.
 */
final class SpeedLayerChild implements AutoCloseable {
  final TidemarkConfig config;
  final String consumerGroup;
  final int webUiPort;
  final int metricsPort;
  private final LayerProcess process;

  private SpeedLayerChild(TidemarkConfig config, String consumerGroup, int webUiPort, int metricsPort, LayerProcess process) {
    this.config = config;
    this.consumerGroup = consumerGroup;
    this.webUiPort = webUiPort;
    this.metricsPort = metricsPort;
    this.process = process;
  }

  /** Migrates an isolated database and topics, then starts the speed layer on them (not yet running). */
  static SpeedLayerChild start(String prefix) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path dir = Files.createDirectories(Path.of("target", "it-speed", prefix + "-" + suffix).toAbsolutePath());
    String group = "tidemark-speed-" + prefix + "-" + suffix;
    int webUi = LayerProcess.freePort();
    int metrics = LayerProcess.freePort();
    TidemarkConfig cfg = TestServices.get(Service.KAFKA, Service.CLICKHOUSE).config()
        .with(ClickHouseOptions.DATABASE, prefix + "_" + suffix)
        .with(KafkaOptions.EVENTS_TOPIC, prefix + "_events_" + suffix)
        .with(KafkaOptions.DLQ_TOPIC, prefix + "_dlq_" + suffix)
        .with(KafkaOptions.LATE_TOPIC, prefix + "_late_" + suffix)
        .with(ServingOptions.SPEED_CONSUMER_GROUP, group);
    Migrations.run(cfg);
    Map<String, String> child = new TreeMap<>(cfg.explicitValues());
    child.put("tidemark.speed.consumer-group", group);
    child.put("tidemark.speed.job-name", "speed-" + prefix + "-" + suffix);
    child.put("tidemark.speed.parallelism", "1");
    child.put("tidemark.speed.starting-offsets", "earliest");
    child.put("tidemark.speed.checkpoint-dir", dir.resolve("checkpoints").toString());
    child.put("tidemark.speed.checkpoint-interval", "2s");
    child.put("tidemark.speed.idleness", "5s");
    child.put("tidemark.speed.web-ui-port", String.valueOf(webUi));
    child.put("tidemark.speed.metrics-port", String.valueOf(metrics));
    LayerProcess p = LayerProcess.builder("speed-layer", "io.tidemark.speed.SpeedLayerMain")
        .config(TidemarkConfig.of(child))
        .jvmArg("-Xmx768m")
        .arg("run")
        .log(dir.resolve("speed-layer.log"))
        .start();
    return new SpeedLayerChild(cfg, group, webUi, metrics, p);
  }

  /** Waits until the job and every one of its tasks run (sources assigned), at most {@code timeout}. */
  SpeedLayerChild awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "(web UI not answering)";
    while (System.nanoTime() < deadline) {
      process.assertAlive();
      try {
        Http.Response r = Http.get("http://127.0.0.1:" + webUiPort + "/jobs/overview");
        last = r.body();
        if (r.status() == 200) {
          for (JsonNode job : r.json().path("jobs")) {
            JsonNode tasks = job.path("tasks");
            if (job.path("state").asText().equals("RUNNING") && tasks.path("total").asInt() > 0
                && tasks.path("running").asInt() == tasks.path("total").asInt()) {
              return this;
            }
          }
        }
      } catch (RuntimeException e) {
        // web UI not up yet
      }
      Thread.sleep(1_000);
    }
    throw new IllegalStateException("Speed layer not running after " + timeout + "; jobs: " + last
        + "\nend of " + process.log() + ":\n" + process.logTail(40));
  }

  LayerProcess process() {
    return process;
  }

  /** Stops the child and drops the test's database; topics go with the JVM's Kafka. */
  @Override
  public void close() {
    try {
      process.close();
    } finally {
      try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
        sql.execute("DROP DATABASE IF EXISTS " + config.get(ClickHouseOptions.DATABASE));
      }
    }
  }
}
