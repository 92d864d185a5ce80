package io.tidemark.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ConfigOption;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServingMainTest {
  @Test
  void helpDescribesTheCommandAndItsOptions() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new ServingMain());
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("--help")).isZero();
    assertThat(out.toString()).contains("Usage: serve", "--config", "--port", "-D", "read-only user");
  }

  @Test
  void everyServingOptionIsDocumentedInDocsServing() throws Exception {
    Path doc = Path.of("..", "docs", "serving.md");
    String text = Files.readString(doc);
    for (ConfigOption<?> o : ServingOptions.all()) {
      assertThat(text).as("docs/serving.md documents %s", o.key()).contains("`" + o.key() + "`");
      assertThat(o.key()).startsWith("tidemark.serving.");
      assertThat(o.description()).endsWith(".");
    }
  }

  @Test
  void unknownServingKeyFailsAtStartWithAHint() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new ServingMain());
    cl.setErr(new PrintWriter(err));
    cl.setExecutionExceptionHandler((e, c, p) -> {
      c.getErr().println(e.getMessage());
      return 2;
    });
    assertThat(cl.execute("-D", "tidemark.serving.prot=1")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown configuration key tidemark.serving.prot (did you mean tidemark.serving.port?)");
  }
}
