package io.tidemark.speed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench speed} end to end on a small backlog against the test services: the job and every
 * floor job run in JVMs of their own (each floor checked by the bench to pass on exactly the valid
 * records), and the report holds a row for each. The figures themselves are not asserted: this is
 * not a timed test.
 */
class SpeedBenchmarkIT {
  @TempDir Path dir;

  @Test
  void writesTheJobAndEveryFloorIntoTheReport() throws Exception {
    TidemarkConfig services = TestServices.get(Service.KAFKA, Service.CLICKHOUSE).config();
    Path report = dir.resolve("benchmarks.md");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = SpeedBenchmark.run(new String[] {
        "--records", "20000", "--users", "2000", "--backends", "hashmap", "--freshness-seconds", "0",
        "--report", report.toString(),
        "-D" + KafkaOptions.BOOTSTRAP.key() + "=" + services.require(KafkaOptions.BOOTSTRAP),
        "-D" + ClickHouseOptions.URL.key() + "=" + services.require(ClickHouseOptions.URL),
        "-D" + ClickHouseOptions.USER.key() + "=" + services.get(ClickHouseOptions.USER),
        "-D" + ClickHouseOptions.PASSWORD.key() + "=" + services.get(ClickHouseOptions.PASSWORD),
        "-Dtidemark.speed.checkpoint-interval=2s"},
        Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
    String md = Files.readString(report);
    assertThat(md).contains("| speed layer, hashmap |");
    for (FloorJob.Floor floor : FloorJob.Floor.values()) {
      Matcher m = Pattern.compile("\\| " + Pattern.quote(floor.description()) + " \\| ([\\d,]+) \\|").matcher(md);
      assertThat(m.find()).as(floor + " row in\n" + md).isTrue();
      assertThat(Long.parseLong(m.group(1).replace(",", ""))).as(floor.description()).isPositive();
    }
    // a baseline pass before and after every run: the job's and the four floors'
    assertThat(List.of(printed.split("\n")).stream().filter(l -> l.startsWith("bare KafkaConsumer + parse:")).count())
        .isEqualTo(1 + 1 + FloorJob.Floor.values().length);
  }
}
