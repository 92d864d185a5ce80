package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.orchestration.OrchestrationOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code ./tidemark demo --with airflow} starts Airflow, so that yesterday runs once. */
class DemoCommandTest {
  static final String[] STACK_UP = {"stack", "up", "--with", "airflow"};

  @Test
  void demoAirflowRunsOnlyTriggeredRunsUnlessScheduledRunsAreConfigured() {
    assertThat(DemoCommand.airflowStackUp(STACK_UP, Map.of(), Map.of()))
        .containsExactly("stack", "up", "--with", "airflow", "-D", "tidemark.orchestration.scheduled-runs=false");
    assertThat(DemoCommand.airflowStackUp(STACK_UP, Map.of("tidemark.orchestration.scheduled-runs", "true"), Map.of()))
        .containsExactly(STACK_UP);
    assertThat(DemoCommand.airflowStackUp(STACK_UP, Map.of(), Map.of("TIDEMARK_ORCHESTRATION_SCHEDULED_RUNS", "true")))
        .containsExactly(STACK_UP);
  }

  @Test
  void demoPrintsTheUrlTheDashboardJvmServesOn() {
    assertThat(DemoCommand.dashboardUrl(Map.of(), Map.of())).isEqualTo("http://127.0.0.1:8088/");
    assertThat(DemoCommand.dashboardUrl(Map.of("tidemark.serving.port", "9000"), Map.of())).isEqualTo("http://127.0.0.1:9000/");
    // the serving JVM reads the environment over the configuration file the demo hands it
    assertThat(DemoCommand.dashboardUrl(Map.of("tidemark.serving.port", "9000"), Map.of("TIDEMARK_SERVING_PORT", "9100")))
        .isEqualTo("http://127.0.0.1:9100/");
    assertThat(DemoCommand.dashboardUrl(Map.of("tidemark.serving.host", "0.0.0.0"), Map.of())).isEqualTo("http://127.0.0.1:8088/");
    assertThat(DemoCommand.dashboardUrl(Map.of(), Map.of("TIDEMARK_SERVING_HOST", "10.1.2.3"))).isEqualTo("http://10.1.2.3:8088/");
    assertThat(DemoCommand.port(Map.of(), Map.of("TIDEMARK_SPEED_WEB_UI_PORT", "18081"), DemoCommand.SPEED_WEB_UI_PORT_KEY, 8081))
        .isEqualTo(18081);
  }

  @Test
  void theKeyTheDemoSetsIsOrchestrationsDeclaredOne() {
    assertThat(DemoCommand.SCHEDULED_RUNS_KEY).isEqualTo(OrchestrationOptions.SCHEDULED_RUNS.key());
    assertThat(DemoCommand.SCHEDULED_RUNS_ENV).isEqualTo(OrchestrationOptions.SCHEDULED_RUNS.envName());
    assertThat(DemoCommand.AIRFLOW_URL_KEY).isEqualTo(OrchestrationOptions.AIRFLOW_URL.key());
    assertThat(DemoCommand.AIRFLOW_PORT_KEY).isEqualTo(OrchestrationOptions.API_PORT.key());
    assertThat(OrchestrationOptions.API_PORT.defaultValue()).isEqualTo(18080);
  }

  @Test
  void demoPrintsTheAirflowTheScheduleCommandsTalkTo() {
    assertThat(DemoCommand.airflowUrl(Map.of(), Map.of())).isEqualTo("http://127.0.0.1:18080");
    assertThat(DemoCommand.airflowUrl(Map.of(), Map.of("TIDEMARK_ORCHESTRATION_API_PORT", "18981")))
        .isEqualTo("http://127.0.0.1:18981");
    assertThat(DemoCommand.airflowUrl(Map.of("tidemark.orchestration.api-port", "19000"), Map.of()))
        .isEqualTo("http://127.0.0.1:19000");
    assertThat(DemoCommand.airflowUrl(Map.of("tidemark.orchestration.api-port", "19000"),
        Map.of("TIDEMARK_ORCHESTRATION_API_PORT", "18981"))).isEqualTo("http://127.0.0.1:18981");
    assertThat(DemoCommand.airflowUrl(Map.of(), Map.of("TIDEMARK_ORCHESTRATION_AIRFLOW_URL", "http://af:8080/")))
        .isEqualTo("http://af:8080");
  }
}
