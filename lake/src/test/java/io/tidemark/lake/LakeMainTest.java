package io.tidemark.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LakeMainTest {
  @Test
  void helpListsEveryCommand() {
    CommandLine cl = LakeMain.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("--help")).isZero();
    assertThat(out.toString()).contains("run", "status", "verify", "import", "maintain", "connector-config");
  }

  @Test
  void unknownLakeKeyFailsWithExitCodeTwoNamingTheClosestKey() {
    CommandLine cl = LakeMain.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("connector-config", "-Dtidemark.lake.commit-intervall=5s")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown configuration key tidemark.lake.commit-intervall (did you mean tidemark.lake.commit-interval?)");
  }

  @Test
  void importOfAMissingOrNonParquetFileIsBadUsageNamingThePathAndReason(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path fake = dir.resolve("events.parquet");
    Files.writeString(fake, "{\"event_id\":\"e1\"}\n");
    Path tiny = dir.resolve("tiny.parquet");
    Files.writeString(tiny, "PAR1");
    Path missing = dir.resolve("missing.jsonl");
    Path text = dir.resolve("events.txt");
    Files.writeString(text, "x");
    java.util.Map<Path, String> reasons = new java.util.LinkedHashMap<>();
    reasons.put(missing, "no such file");
    reasons.put(fake, "not a Parquet file (it does not start and end with PAR1)");
    reasons.put(tiny, "not a Parquet file (4 bytes; a Parquet file starts and ends with PAR1)");
    reasons.put(text, "unknown format (expected .jsonl, .ndjson, .json, .csv or .parquet)");
    reasons.put(dir, "it is a directory, not a file");
    for (var e : reasons.entrySet()) {
      CommandLine cl = LakeMain.commandLine();
      StringWriter err = new StringWriter();
      cl.setErr(new PrintWriter(err));
      // the catalog is never contacted: the file is checked first (no stack runs in this test)
      assertThat(cl.execute("import", "--no-progress", e.getKey().toString())).as(e.getKey().toString()).isEqualTo(2);
      assertThat(err.toString()).isEqualTo("lake import: Cannot import " + e.getKey() + ": " + e.getValue() + System.lineSeparator());
    }
  }

  @Test
  void everyLakeOptionIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("../docs/lake.md"));
    for (var o : LakeArchiveOptions.all()) {
      String row = "| `" + o.key() + "` | `" + o.envName() + "` | " + (o.hasDefault() ? "`" + o.format(o.defaultValue()) + "`" : "")
          + " | " + o.description() + " |";
      assertThat(docs).as("docs/lake.md documents %s as declared", o.key()).contains(row);
    }
  }
}
