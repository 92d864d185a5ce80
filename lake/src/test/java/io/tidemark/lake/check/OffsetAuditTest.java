package io.tidemark.lake.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetAuditTest {
  private static OffsetAudit audit(long... offsets) {
    return OffsetAudit.of(0, offsets.clone(), offsets.length);
  }

  @Test
  void contiguousOffsetsAreClean() {
    OffsetAudit a = audit(3, 0, 2, 1, 4);
    assertThat(a.count()).isEqualTo(5);
    assertThat(a.min()).isZero();
    assertThat(a.max()).isEqualTo(4);
    assertThat(a.duplicates()).isEmpty();
    assertThat(a.holes()).isEmpty();
  }

  @Test
  void repeatedOffsetsAreListedOnceAndCountedPerExtraRow() {
    OffsetAudit a = audit(0, 1, 1, 1, 2, 5, 5);
    assertThat(a.duplicates()).containsExactly(1L, 5L);
    assertThat(a.duplicateRows()).isEqualTo(3);
  }

  @Test
  void holesAreReportedAsHalfOpenRanges() {
    OffsetAudit a = audit(0, 1, 4, 5, 7);
    assertThat(a.holes()).containsExactly(new OffsetAudit.Range(2, 4), new OffsetAudit.Range(6, 7));
    assertThat(a.holes().get(0)).hasToString("2..3");
    assertThat(a.holes().get(1)).hasToString("6");
  }

  @Test
  void emptyPartitionHasNoFindings() {
    OffsetAudit a = audit();
    assertThat(a.count()).isZero();
    assertThat(a.holes()).isEqualTo(List.of());
  }
}
