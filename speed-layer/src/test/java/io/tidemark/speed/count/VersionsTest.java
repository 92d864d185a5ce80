package io.tidemark.speed.count;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionsTest {
  @Test
  void aLaterGenerationBeatsAnyCountOfAnEarlierOne() {
    long g1 = Versions.generation(1_764_000_000_000L, -1);
    long g2 = Versions.generation(1_764_000_000_000L, g1); // same clock: still one more
    assertThat(g2).isEqualTo(g1 + 1);
    assertThat(Versions.version(g2, 1)).isGreaterThan(Versions.version(g1, 100_000_000));
  }

  @Test
  void aClockBehindTheRestoredGenerationCannotGoBack() {
    long g1 = Versions.generation(1_900_000_000_000L, -1);
    assertThat(Versions.generation(1_700_000_000_000L, g1)).isEqualTo(g1 + 1);
  }

  @Test
  void versionsStayBelowTheBatchFloorUntil2128() {
    long g = Versions.generation(5_000_000_000_000L, -1); // year 2128
    assertThat(Versions.version(g, Long.MAX_VALUE)).isLessThan(io.tidemark.schema.clickhouse.CountVersions.BATCH_BASE);
    assertThat(io.tidemark.schema.clickhouse.CountVersions.isBatch(Versions.version(g, Long.MAX_VALUE))).isFalse();
  }
}
