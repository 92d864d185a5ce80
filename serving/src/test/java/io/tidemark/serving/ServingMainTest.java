package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
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
  void docsServingHasTheOptionsTableAsDeclared() throws Exception {
    String text = Files.readString(Path.of("..", "docs", "serving.md"));
    StringBuilder table = new StringBuilder("| Key | Environment | Default | Description |\n|---|---|---|---|\n");
    for (ConfigOption<?> o : ServingOptions.all()) {
      assertThat(o.key()).startsWith("tidemark.serving.");
      assertThat(o.description()).endsWith(".");
      table.append("| `").append(o.key()).append("` | `").append(o.envName()).append("` | ")
          .append(o.hasDefault() ? "`" + o.format(o.defaultValue()) + "`" : "").append(" | ")
          .append(o.description()).append(" |\n");
    }
    assertThat(text).as("docs/serving.md's configuration table, generated from ServingOptions:%n%s", table).contains(table);
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
