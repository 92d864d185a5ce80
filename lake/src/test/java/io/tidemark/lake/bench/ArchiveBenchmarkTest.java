package io.tidemark.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ArchiveBenchmarkTest {
  @Test
  void theDefaultMillionRecordsFitTheWriterFloorInTheLakeJvmsOneGigabyteHeap() {
    // ./tidemark starts 'lake bench' with -Xmx1g; G1 reports a little less than that as max memory
    assertThat(ArchiveBenchmark.floorRecordLimit(1_000L * 1024 * 1024)).isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void aHeapTooSmallForEveryRecordLimitsTheWriterFloorToWhatFits() {
    assertThat(ArchiveBenchmark.floorRecordLimit(256L * 1024 * 1024)).isEqualTo(314_572);
  }

  @Test
  void anUnreachableBrokerFailsWithOneLineNamingTheFix() {
    // port 1: nothing listens there, so the topic cannot be created
    TidemarkConfig cfg = TidemarkConfig.of(Map.of("tidemark.kafka.bootstrap", "localhost:1"));
    assertThatThrownBy(() -> new ArchiveBenchmark(cfg, 10, Duration.ofSeconds(1)).run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot reach Kafka at localhost:1")
        .hasMessageContaining("./tidemark stack up")
        .hasMessageContaining("TIDEMARK_KAFKA_BOOTSTRAP");
  }
}
