package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.speed.sink.DeadLetterSerializer.Headers;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The whole job on a MiniCluster against real Kafka and ClickHouse, with generator traffic. */
class SpeedLayerJobIT {

  @Test
  void servingTablesEqualGroundTruthAndSideTopicsHoldEveryInvalidAndTooLateRecord() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedjob");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(SpeedLayerJob.flinkConfiguration(cfg));
    JobClient job = SpeedLayerJob.fromConfig(cfg).executeAsync(env);
    try {
      SpeedIt.awaitRunning(job);
      // live traffic, as in production: too-late events come once the watermark has moved
      GroundTruth truth =
          TrafficGenerator.builder()
              .config(cfg)
              .spec(SpeedIt.mixedTraffic(2_000, Duration.ofSeconds(40)).build())
              .build()
              .run(null);
      assertThat(truth.invalid()).isPositive();
      assertThat(truth.tooLate()).isPositive();
      assertThat(truth.duplicates()).isPositive();
      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(2))
            .untilAsserted(
                () -> {
                  Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
                  assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
                });
      }

      List<ConsumerRecord<byte[], byte[]>> dlq =
          SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), truth.invalid(), Duration.ofSeconds(60));
      Map<String, Long> reasons = new HashMap<>();
      Set<String> sources = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : dlq) {
        String reason = SpeedIt.header(r, Headers.REASON);
        assertThat(SpeedIt.header(r, Headers.DETAIL)).isNotBlank();
        assertThat(SpeedIt.header(r, Headers.SOURCE_TOPIC)).isEqualTo(cfg.get(KafkaOptions.EVENTS_TOPIC));
        // the original bytes: parsing them again gives the same reason
        ParseResult again = PageViewParser.parse(r.value(), r.timestamp());
        assertThat(again).isInstanceOf(ParseResult.Invalid.class);
        if (sources.add(SpeedIt.header(r, Headers.SOURCE_PARTITION) + "@" + SpeedIt.header(r, Headers.SOURCE_OFFSET))) {
          reasons.merge(reason, 1L, Long::sum);
        }
      }
      assertThat(sources).hasSize((int) truth.invalid());
      assertThat(reasons).isEqualTo(truth.invalidByReason());

      List<ConsumerRecord<byte[], byte[]>> late =
          SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.LATE_TOPIC), truth.tooLate(), Duration.ofSeconds(60));
      Set<String> lateIds = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : late) {
        ParseResult p = PageViewParser.parse(r.value(), r.timestamp());
        lateIds.add(((ParseResult.Valid) p).event().eventId());
        assertThat(SpeedIt.header(r, Headers.REASON)).isEqualTo("too-late");
      }
      assertThat(lateIds).containsAll(truth.tooLateEventIds());
    } finally {
      job.cancel().get();
    }
  }
}
