package io.tidemark.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OrchestrationOptionsTest {
  @Test
  void everyKeyIsDocumentedInOperationsWithItsDefault() throws IOException {
    Path root = StackOptions.projectRoot(System.getenv(), Path.of(""));
    String doc = Files.readString(root.resolve("docs/operations.md"));
    for (ConfigOption<?> option : OrchestrationOptions.all()) {
      assertThat(doc).as(option.key()).contains("| `" + option.key() + "` |");
      if (option.hasDefault() && !option.isSecret()) {
        assertThat(doc).as(option.key()).contains("| `" + option.key() + "` | `" + option.format(option.defaultValue()) + "` |");
      }
    }
  }

  @Test
  void keysBelongToOrchestration() {
    assertThat(OrchestrationOptions.all()).extracting(ConfigOption::key).allMatch(k -> k.startsWith("tidemark.orchestration."))
        .doesNotHaveDuplicates();
    assertThat(OrchestrationOptions.AIRFLOW_PASSWORD.isSecret()).isTrue();
  }

  @Test
  void airflowVersionMatchesTheKeptSpecTheLockTheScriptAndThePom() throws IOException {
    Path root = StackOptions.projectRoot(System.getenv(), Path.of(""));
    String version = OrchestrationOptions.AIRFLOW_VERSION.defaultValue();
    assertThat(root.resolve("orchestration/src/main/openapi/airflow-" + version + "-v2-rest-api.yaml")).isRegularFile();
    assertThat(root.resolve("orchestration/airflow/constraints-" + version + "-py3.11.txt")).isRegularFile();
    assertThat(Files.readString(root.resolve("orchestration/scripts/ensure-airflow.sh")))
        .contains("AIRFLOW_VERSION=\"${TIDEMARK_AIRFLOW_VERSION:-" + version + "}\"");
    assertThat(Files.readString(root.resolve("orchestration/pom.xml"))).contains("<airflow.version>" + version + "</airflow.version>");
  }
}
