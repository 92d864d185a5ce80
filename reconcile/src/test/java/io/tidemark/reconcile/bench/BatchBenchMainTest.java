package io.tidemark.reconcile.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchBenchMainTest {
  @Test
  void readAboveTheBaselineSaysTheTargetIsOutOfReachForAnySparkJob() {
    String text = BatchBenchMain.floorText(
        new BatchBenchMain.Scans(23.0, 10_200_000, 2.0, 10_000_000, 5.0, 10_400_000, 4.0, 2), 11.5, 14);

    assertThat(text)
        .contains("- read: the 14 lake columns the batch job reads for the day plus its dedup margins (10,200,000 rows)")
        .contains("| Spark read: lake read of the batch job's columns, hash aggregate | 23.0 | 2.00x |")
        .contains("| ClickHouse: same columns of its raw table (10,000,000 rows), `groupBitXor(cityHash64(...))` | 2.0 | 0.17x |")
        .contains("| **sum of the floors** | **32.0** | **2.78x** |")
        .contains("The read alone is 2.00x the baseline: issue 6's 1.0x is out of reach for any Spark job on this machine")
        .endsWith("Scan against scan, Spark takes 11.5x ClickHouse's time.");
  }

  @Test
  void floorsSummingAboveTheBaselineSayByHowMuchTheTargetIsOutOfReach() {
    String text = BatchBenchMain.floorText(
        new BatchBenchMain.Scans(4.0, 10_000, 0.5, 9_900, 3.5, 10_400, 2.5, 2), 8.0, 14);

    assertThat(text)
        .contains("the day's 10,400 count rows of both metrics")
        .contains("| Spark read: lake read of the batch job's columns, hash aggregate | 4.0 | 0.50x |")
        .contains("| Iceberg write: cached count rows to scratch tables | 3.5 | 0.44x |")
        .contains("| ClickHouse transfer: same cells, RowBinary, 2 streams | 2.5 | 0.31x |")
        .contains("| **sum of the floors** | **10.0** | **1.25x** |")
        .contains("The three floors add up to 10.0 s, 1.25x the baseline, before any validity check, dedup,"
            + " aggregation, comparison, staging or report: issue 6's 1.0x is out of reach on this machine for any"
            + " design that reads the day with Spark, writes the counts to Iceberg and replaces the day in"
            + " ClickHouse, by at least 2.0 s (0.25x).");
  }

  @Test
  void floorsBelowTheBaselineSayHowMuchTimeIsLeft() {
    String text = BatchBenchMain.floorText(
        new BatchBenchMain.Scans(4.0, 1_000, 1.0, 1_000, 2.0, 1_100, 1.0, 1), 10.0, 14);

    assertThat(text)
        .contains("| **sum of the floors** | **7.0** | **0.70x** |")
        .contains("The three floors add up to 7.0 s, 0.70x the baseline: they leave 3.0 s for everything else")
        .doesNotContain("out of reach");
  }
}
