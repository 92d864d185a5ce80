package io.tidemark.serving.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench serve} fails with one line, not a stack trace, before measuring anything. */
class ServeBenchMainTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = ServeBenchMain.commandLine();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void nonPositiveOptionIsOneLineAndExitCodeTwo() {
    assertThat(run("--clients", "0")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("tidemark bench serve: --clients, --duration, --runs and --pages must be at least 1"
        + System.lineSeparator());
  }

  @Test
  void unreachableClickHouseIsOneLineNamingIt(@TempDir Path dir) throws Exception {
    Path props = dir.resolve("bench.properties");
    Files.writeString(props, "tidemark.clickhouse.url=http://127.0.0.1:1\n");
    assertThat(run("--config", props.toString(), "--report", dir.resolve("benchmarks.md").toString())).isEqualTo(1);
    assertThat(err.toString()).startsWith("tidemark bench serve: ").contains("127.0.0.1:1");
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(dir.resolve("benchmarks.md")).doesNotExist();
  }
}
