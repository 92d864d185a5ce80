package io.tidemark.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {
  @Test
  void replacesOnlyItsOwnSection(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("docs/benchmarks.md");
    BenchmarkReport.writeSection(f, "produce", "## produce\nrun 1");
    BenchmarkReport.writeSection(f, "speed", "## speed\nrun 1");
    BenchmarkReport.writeSection(f, "produce", "## produce\nrun 2");
    String s = Files.readString(f);
    assertThat(s).startsWith("# Benchmarks").contains("## produce\nrun 2").contains("## speed\nrun 1")
        .doesNotContain("produce\nrun 1");
    assertThat(s.indexOf("bench:produce")).isLessThan(s.indexOf("bench:speed"));
  }
}
