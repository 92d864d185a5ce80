package io.tidemark.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.stack.AirflowStack;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python tests of the DAGs (src/test/python/test_dags.py: every DAG file imports, the
 * DAGs' shape, the helpers' validation) with the Python of the pinned Airflow venv, installing it
 * first when missing: the venv of {@link AirflowStack#testVenv} ({@code
 * TIDEMARK_ORCHESTRATION_VENV_DIR}, else the project's {@code .tidemark/airflow-venv}).
 */
class DagsPythonIT {
  @TempDir Path airflowHome;

  @Test
  void dagFilesImportAndHelpersValidateTheirInput() throws IOException, InterruptedException {
    Path root = StackOptions.projectRoot(System.getenv(), Path.of(""));
    AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(
        OrchestrationOptions.VENV_DIR.key(), AirflowStack.testVenv(System.getenv(), root).toString())));
    Path venv = stack.ensureInstalled(System.err::println);

    ProcessBuilder pb =
        new ProcessBuilder(
                venv.resolve("bin/python").toString(), "-m", "unittest", "discover", "-v",
                "-s", root.resolve("orchestration/src/test/python").toString())
            .directory(root.toFile())
            .redirectErrorStream(true);
    pb.environment().put("PYTHONPATH", stack.dagsFolder().toString());
    pb.environment().put("AIRFLOW_HOME", airflowHome.toString());
    pb.environment().put("AIRFLOW__CORE__LOAD_EXAMPLES", "False");
    pb.environment().put("AIRFLOW__CORE__DAGS_FOLDER", stack.dagsFolder().toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("test_every_dag_file_imports_without_errors").contains("OK");
  }
}
