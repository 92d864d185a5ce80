package io.tidemark.speed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.speed.sink.ClickHouseCountSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeedBenchmarkTest {
  @TempDir Path dir;

  @Test
  void processingEndsWhenTheLastCountSinkDrained() throws Exception {
    Path log = dir.resolve("job.log");
    Files.write(log, List.of(
        "2026-11-26 06:53:50,001 INFO  ClickHouseCountWriter - ClickHouse PAGE " + ClickHouseCountSink.DRAINED_MARKER + "1795676030120",
        "2026-11-26 06:53:50,002 INFO  ClickHouseCountWriter - ClickHouse USER " + ClickHouseCountSink.DRAINED_MARKER + "1795676030457",
        "2026-11-26 06:53:50,003 INFO  ClickHouseCountWriter - ClickHouse PAGE " + ClickHouseCountSink.DRAINED_MARKER + "1795676030311",
        "tidemark-bench-job-end 1795676030700 2087 27 24000"));

    assertThat(SpeedBenchmark.drainedAt(log)).hasValue(1795676030457L);
  }

  @Test
  void noDrainedLineLeavesTheJobEndToTheCaller() throws Exception {
    Path log = dir.resolve("job.log");
    Files.write(log, List.of("tidemark-bench-job-end 1795676030700 2087 27 24000"));

    assertThat(SpeedBenchmark.drainedAt(log)).isEmpty();
  }

  @Test
  void aFloorRunsFromItsEarliestFirstRecordToItsLatestEndOverAllWriters() throws Exception {
    Path log = dir.resolve("floor.log");
    Files.write(log, List.of(
        "INFO FloorJob$DrainTimingSink - " + FloorJob.DrainTimingSink.FIRST_MARKER + "1000",
        "INFO FloorJob$DrainTimingSink - " + FloorJob.DrainTimingSink.FIRST_MARKER + "900",
        "INFO FloorJob$DrainTimingSink - " + FloorJob.DrainTimingSink.LAST_MARKER + "3000 600",
        "INFO FloorJob$DrainTimingSink - " + FloorJob.DrainTimingSink.LAST_MARKER + "3400 400"));

    assertThat(SpeedBenchmark.floorSpan(log)).containsExactly(900, 3400, 1000);
  }

  @Test
  void aFloorWithoutItsLinesFailsNamingTheLog() throws Exception {
    Path log = dir.resolve("floor.log");
    Files.write(log, List.of("tidemark-bench-job-end 1795676030700 2087 27 24000"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpeedBenchmark.floorSpan(log))
        .hasMessageContaining(log.toString());
  }

  @Test
  void floorsParseFromTheirArguments() {
    for (FloorJob.Floor f : FloorJob.Floor.values()) {
      assertThat(FloorJob.Floor.parse(f.argument())).isEqualTo(f);
    }
    assertThat(FloorJob.Floor.KEYED_STATE.argument()).isEqualTo("keyed-state");
  }

  @Test
  void aRunWithoutACompletedCheckpointDoesNotMeetTheCheckpointTarget() {
    SpeedBenchmark.JobRun none = new SpeedBenchmark.JobRun("hashmap", 200_000, true, 140_000, 14, 0, 0, 0, 1_100L << 20,
        0, 1_800, 25, SpeedBenchmark.CheckpointBreakdown.NONE, 22_000, 1_000_000, 100);
    SpeedBenchmark.JobRun one = new SpeedBenchmark.JobRun("rocksdb", 70_000, true, 60_000, 30, 401, 401, 50L << 20,
        1_000L << 20, 2, 600, 29, SpeedBenchmark.CheckpointBreakdown.NONE, 55_000, 1_000_000, 400);

    String targets = SpeedBenchmark.targets(List.of(none, one), new double[] {278, 1001, 1001, 47});

    assertThat(targets).contains("hashmap checkpoints under 5 s: **not measured**")
        .contains("rocksdb checkpoints under 5 s: **met** (longest 401 ms)")
        .contains("at least 0.3x the bare consumer: **missed** (0.20x, hashmap)")
        .contains("freshness p99 at most 2 s: **met** (1001 ms)");
  }
}
