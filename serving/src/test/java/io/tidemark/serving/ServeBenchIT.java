package io.tidemark.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.serving.bench.ServeBenchMain;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code bench serve} end to end on the JVM's ClickHouse, short (1 run of 2 s per side by
 * default; {@code -Dbench.seconds}/{@code -Dbench.runs} for real figures), writing its section to
 * target/benchmarks.md.
 */
class ServeBenchIT {
  @Test
  void writesServeSectionWithBothSidesAndNoErrors() throws Exception {
    Path dir = Path.of("target").toAbsolutePath();
    Files.createDirectories(dir);
    Path props = dir.resolve("bench-serve.properties");
    Properties p = new Properties();
    p.setProperty(ClickHouseOptions.URL.key(), TestServices.get(Service.CLICKHOUSE).config().get(ClickHouseOptions.URL));
    p.setProperty(ClickHouseOptions.DATABASE.key(), "serving_bench_it");
    try (var out = Files.newOutputStream(props)) {
      p.store(out, null);
    }
    Path report = dir.resolve("benchmarks.md");
    Files.deleteIfExists(report);
    int code = new CommandLine(new ServeBenchMain()).execute(
        "--config", props.toString(), "--report", report.toString(),
        "--duration", System.getProperty("bench.seconds", "2"), "--runs", System.getProperty("bench.runs", "1"),
        "--clients", "16");
    assertThat(code).isZero();
    String md = Files.readString(report);
    assertThat(md).contains("<!-- bench:serve -->", "| requests/s |", "| p99 latency |", "<!-- /bench:serve -->");
    assertThat(md).containsPattern("\\| errors \\| 0 \\| 0 \\| \\| 0 \\|");
    assertThat(md).containsPattern("Targets \\(issue 7\\), with the cache: at least 1\\.0x requests/s: (met|missed) \\(")
        .containsPattern("load average [0-9.]+ / [0-9.]+ / [0-9.]+ \\(1 / 5 / 15 min\\) at the start and [0-9.]+ / ");
  }
}
