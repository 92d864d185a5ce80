package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.stack.Service;
import io.tidemark.stack.StackListener;
import io.tidemark.testsupport.TestServices;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** ClickHouse killed for 30 s under load: backpressure, retries, then exact counts; the job keeps running. */
class SpeedLayerOutageIT {

  @Test
  void clickHouseOutageUnderLoadLosesNothingAndDoublesNothing() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedoutage");
    TestServices services = TestServices.get(Service.KAFKA, Service.CLICKHOUSE);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Configuration conf = SpeedLayerJob.flinkConfiguration(cfg);
    conf.setString("rest.port", String.valueOf(port));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    JobClient job = SpeedLayerJob.fromConfig(cfg).executeAsync(env);
    FlinkRest rest = new FlinkRest(port);
    String jobId = job.getJobID().toString();
    boolean clickHouseDown = false;
    try {
      SpeedIt.awaitRunning(job);
      CompletableFuture<GroundTruth> traffic =
          CompletableFuture.supplyAsync(
              () ->
                  TrafficGenerator.builder()
                      .config(cfg)
                      .spec(SpeedIt.mixedTraffic(1_500, Duration.ofSeconds(60)).seed(31).build())
                      .build()
                      .run(null));
      Thread.sleep(12_000);
      services.localStack().kill(Service.CLICKHOUSE);
      clickHouseDown = true;
      double backPressure = 0;
      long downUntil = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < downUntil) {
        Thread.sleep(2_000);
        try {
          backPressure = Math.max(backPressure, rest.metric(jobId, "backPressuredTimeMsPerSecond", true));
        } catch (Exception e) {
          // the REST API is busy at times; the next poll will do
        }
      }
      double errors = rest.metric(jobId, "tidemark.clickhouseInsertErrors", false);
      services.localStack().up(Set.of(Service.CLICKHOUSE), StackListener.SILENT);
      clickHouseDown = false;

      assertThat(errors).as("failed inserts counted while ClickHouse was down").isPositive();
      assertThat(backPressure).as("backpressure visible while ClickHouse was down").isPositive();

      GroundTruth truth = traffic.get(3, TimeUnit.MINUTES);
      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts after the outage")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(2))
            .untilAsserted(
                () -> {
                  Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
                  assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
                });
      }
      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    } finally {
      if (clickHouseDown) {
        services.localStack().up(Set.of(Service.CLICKHOUSE), StackListener.SILENT);
      }
      job.cancel().get();
    }
  }
}
