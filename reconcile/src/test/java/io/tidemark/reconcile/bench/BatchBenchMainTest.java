package io.tidemark.reconcile.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchBenchMainTest {
  @Test
  void floorAboveTheBaselineSaysTheTargetIsOutOfReachForAnySparkJob() {
    String text = BatchBenchMain.floorText(new BatchBenchMain.Scans(23.0, 10_200_000, 2.0, 10_000_000), 11.5, 14);

    assertThat(text)
        .contains("reading the 14 lake columns the batch job reads for\nthe day plus its dedup margins (10,200,000 rows)")
        .contains("| Spark floor: lake read of the batch job's columns, hash aggregate | 23.0 | 2.00x |")
        .contains("| ClickHouse: same columns of its raw table (10,000,000 rows), `groupBitXor(cityHash64(...))` | 2.0 | 0.17x |")
        .contains("The floor alone is 2.00x the baseline: issue 6's 1.0x is out of reach for any Spark job on this machine")
        .endsWith("Scan against scan, Spark takes 11.5x ClickHouse's time.");
  }

  @Test
  void floorBelowTheBaselineSaysHowMuchTimeIsLeft() {
    String text = BatchBenchMain.floorText(new BatchBenchMain.Scans(4.0, 1_000, 1.0, 1_000), 10.0, 14);

    assertThat(text)
        .contains("| Spark floor: lake read of the batch job's columns, hash aggregate | 4.0 | 0.40x |")
        .contains("The floor is 0.40x the baseline: it leaves 6.0 s for everything the nightly path does after the read.")
        .doesNotContain("out of reach");
  }
}
