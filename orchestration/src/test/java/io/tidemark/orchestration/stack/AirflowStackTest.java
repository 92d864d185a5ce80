package io.tidemark.orchestration.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.OrchestrationOptions;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout and configuration of the local Airflow, without starting it (AirflowIT starts it). */
class AirflowStackTest {
  @TempDir Path tmp;

  @Test
  void defaultsLiveUnderTheStackHome() {
    AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(StackOptions.HOME.key(), tmp.toString())));

    assertThat(stack.venv()).isEqualTo(tmp.resolve("airflow-venv"));
    assertThat(stack.airflowHome()).isEqualTo(tmp.resolve("airflow"));
    assertThat(stack.dagsFolder()).endsWith(Path.of("orchestration/dags"));
    assertThat(stack.dagsFolder().resolve("tidemark_nightly.py")).isRegularFile();
    assertThat(stack.url()).isEqualTo("http://127.0.0.1:18080");
  }

  @Test
  void environmentPointsEveryProcessAtThisHomePortAndDags() throws IOException {
    Path home = tmp.resolve("af");
    AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(
        OrchestrationOptions.AIRFLOW_HOME.key(), home.toString(),
        OrchestrationOptions.API_PORT.key(), "18555",
        OrchestrationOptions.AIRFLOW_USER.key(), "ops")));
    Files.createDirectories(home);
    Files.writeString(home.resolve("tidemark-secrets"), "s3cr3t\n");

    Map<String, String> env = stack.environment();

    assertThat(env)
        .containsEntry("AIRFLOW_HOME", home.toString())
        .containsEntry("AIRFLOW__CORE__DAGS_FOLDER", stack.dagsFolder().toString())
        .containsEntry("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "http://127.0.0.1:18555/execution/")
        .containsEntry("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:///" + home.resolve("airflow.db"))
        .containsEntry("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "ops:admin")
        .containsEntry("AIRFLOW__API_AUTH__JWT_SECRET", "s3cr3t")
        .containsEntry("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        .containsEntry("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", "True");
  }

  @Test
  void scheduledRunsCanBeTurnedOffLeavingOnlyTriggeredRuns() throws IOException {
    Path home = tmp.resolve("af");
    AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(
        OrchestrationOptions.AIRFLOW_HOME.key(), home.toString(),
        OrchestrationOptions.SCHEDULED_RUNS.key(), "false")));
    Files.createDirectories(home);
    Files.writeString(home.resolve("tidemark-secrets"), "s3cr3t\n");

    assertThat(stack.environment()).containsEntry("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", "False");
  }

  @Test
  void testsUseTheVenvFromTheEnvironmentElseTheProjects() {
    Path root = tmp.resolve("project");
    assertThat(AirflowStack.testVenv(Map.of("TIDEMARK_ORCHESTRATION_VENV_DIR", tmp.resolve("shared-venv").toString()), root))
        .isEqualTo(tmp.resolve("shared-venv"));
    assertThat(AirflowStack.testVenv(Map.of(), root)).isEqualTo(root.resolve(".tidemark/airflow-venv"));
    assertThat(AirflowStack.testVenv(Map.of("TIDEMARK_ORCHESTRATION_VENV_DIR", " "), root))
        .isEqualTo(root.resolve(".tidemark/airflow-venv"));
  }

  @Test
  void statusOfANeverStartedAirflowIsStopped() {
    AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(OrchestrationOptions.AIRFLOW_HOME.key(), tmp.toString())));

    AirflowStatus status = stack.status();

    assertThat(status.healthy()).isFalse();
    assertThat(status.pids()).isEmpty();
    assertThat(status.detail()).isEqualTo("stopped");
    stack.stop(); // idempotent on a stopped Airflow
  }

  @Test
  void startRefusesABusyPortBeforeStartingAnything() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      AirflowStack stack = new AirflowStack(TidemarkConfig.of(Map.of(
          OrchestrationOptions.AIRFLOW_HOME.key(), tmp.resolve("af").toString(),
          OrchestrationOptions.VENV_DIR.key(), tmp.resolve("no-venv").toString(),
          OrchestrationOptions.API_PORT.key(), Integer.toString(busy.getLocalPort()))));

      assertThatThrownBy(() -> stack.startProcesses(msg -> {}))
          .isInstanceOf(AirflowStackException.class)
          .hasMessage("Cannot start Airflow: port " + busy.getLocalPort() + " is in use (set"
              + " tidemark.orchestration.api-port or TIDEMARK_ORCHESTRATION_API_PORT)");
      assertThat(stack.status().pids()).isEmpty();
    }
  }
}
