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
}
