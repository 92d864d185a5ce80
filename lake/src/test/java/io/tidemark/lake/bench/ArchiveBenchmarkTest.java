package io.tidemark.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
}
