package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CountVersionsTest {

  @Test
  void everyBatchVersionIsAboveEverySpeedVersion() {
    assertThat(CountVersions.batch(0)).isGreaterThan(CountVersions.speed(CountVersions.SPEED_MAX));
    assertThat(CountVersions.batch(0)).isEqualTo(4_611_686_018_427_387_904L);
  }

  @Test
  void laterReconcileRunWinsOverEarlierOne() {
    assertThat(CountVersions.batch(1_795_000_000_001L)).isGreaterThan(CountVersions.batch(1_795_000_000_000L));
  }

  @Test
  void classifiesVersionsBySource() {
    assertThat(CountVersions.isBatch(CountVersions.batch(7))).isTrue();
    assertThat(CountVersions.isBatch(CountVersions.speed(System.currentTimeMillis()))).isFalse();
  }

  @Test
  void rejectsSpeedVersionInBatchRange() {
    assertThatThrownBy(() -> CountVersions.speed(CountVersions.BATCH_BASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Speed-layer version 4611686018427387904 is outside [0, 4611686018427387903]");
  }

  @Test
  void rejectsNegativeSpeedVersion() {
    assertThatThrownBy(() -> CountVersions.speed(-1))
        .hasMessage("Speed-layer version -1 is outside [0, 4611686018427387903]");
  }

  @Test
  void rejectsBatchSequenceThatWouldOverflowALong() {
    assertThatThrownBy(() -> CountVersions.batch(CountVersions.BATCH_BASE))
        .hasMessage("Batch run sequence 4611686018427387904 is outside [0, 4611686018427387903]");
  }
}
