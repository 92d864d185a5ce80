package io.tidemark.reconcile.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.reconcile.bench.NightlyFloors.Timed;
import org.junit.jupiter.api.Test;

class BatchBenchMainTest {
  @Test
  void readAboveTheBaselineSaysTheTargetIsOutOfReachForAnySparkJob() {
    String text = BatchBenchMain.floorText(new BatchBenchMain.Scans(new Timed(23.0, 40.0, 0.0, 10_200_000), 2.0,
        10_000_000, new Timed(5.0, 9.0, 0.0, 10_400_000), new Timed(4.0, 2.0, 5.0, 10_400_000), 2, 20.0, 2), 11.5, 14);

    assertThat(text)
        .contains("- read: the 14 lake columns the batch job reads for the day plus its dedup margins (10,200,000 rows)")
        .contains("| Spark read: lake read of the batch job's columns, hash aggregate | 23.0 | 2.00x | 40.0 |")
        .contains("| ClickHouse: same columns of its raw table (10,000,000 rows), `groupBitXor(cityHash64(...))` | 2.0 | 0.17x | |")
        .contains("| **sum of the floors** | **32.0** | **2.78x** | **56.0** |")
        .contains("The read alone is 2.00x the baseline: issue 6's 1.0x is out of reach for any Spark job on this machine")
        .endsWith("Scan against scan, Spark takes 11.5x ClickHouse's time.");
  }

  @Test
  void floorsSummingAboveTheBaselineSayByHowMuchTheTargetIsOutOfReach() {
    String text = BatchBenchMain.floorText(new BatchBenchMain.Scans(new Timed(4.0, 7.0, 0.0, 10_000), 0.5, 9_900,
        new Timed(3.5, 6.0, 0.0, 10_400), new Timed(2.5, 1.0, 3.0, 10_400), 2, 12.5, 2), 8.0, 14);

    assertThat(text)
        .contains("the day's 10,400 count rows of both metrics")
        .contains("| ClickHouse INSERT ... SELECT ... GROUP BY (baseline) | 8.0 | 1.00x | 12.5 |")
        .contains("| Spark read: lake read of the batch job's columns, hash aggregate | 4.0 | 0.50x | 7.0 |")
        .contains("| Iceberg write: cached count rows to scratch tables | 3.5 | 0.44x | 6.0 |")
        .contains("| ClickHouse transfer: same cells, RowBinary, 2 streams | 2.5 | 0.31x | 1.0 + 3.0 |")
        .contains("| **sum of the floors** | **10.0** | **1.25x** | **17.0** |")
        .contains("The three floors add up to 10.0 s, 1.25x the baseline, before any validity check, dedup,"
            + " aggregation, comparison, staging or report: issue 6's 1.0x is out of reach on this machine for any"
            + " design that reads the day with Spark, writes the counts to Iceberg and replaces the day in"
            + " ClickHouse, by at least 2.0 s (0.25x).")
        .contains("In CPU time, which other work on the machine inflates far less than wall time, the floors used"
            + " 17.0 s (Spark JVM and ClickHouse's query threads), 1.36x the baseline's 12.5 s (ClickHouse's): to finish"
            + " within the baseline's 8.0 s they would have to keep 2.13 cores busy throughout, more than the"
            + " machine's 2.");
  }

  @Test
  void floorsBelowTheBaselineSayHowMuchTimeIsLeft() {
    String text = BatchBenchMain.floorText(new BatchBenchMain.Scans(new Timed(4.0, 4.0, 0.0, 1_000), 1.0, 1_000,
        new Timed(2.0, 2.0, 0.0, 1_100), new Timed(1.0, 0.5, 0.5, 1_100), 1, 10.0, 2), 10.0, 14);

    assertThat(text)
        .contains("| **sum of the floors** | **7.0** | **0.70x** | **7.0** |")
        .contains("The three floors add up to 7.0 s, 0.70x the baseline: they leave 3.0 s for everything else")
        .contains("they would have to keep 0.70 cores busy throughout (the machine has 2; the baseline kept 1.00 busy in"
            + " this run).")
        .doesNotContain("out of reach");
  }
}
