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
  void everyLakeOptionIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("../docs/lake.md"));
    for (var o : LakeArchiveOptions.all()) {
      String row = "| `" + o.key() + "` | `" + o.envName() + "` | " + (o.hasDefault() ? "`" + o.format(o.defaultValue()) + "`" : "")
          + " | " + o.description() + " |";
      assertThat(docs).as("docs/lake.md documents %s as declared", o.key()).contains(row);
    }
  }
}
