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
  void theKeyTheDemoSetsIsOrchestrationsDeclaredOne() {
    assertThat(DemoCommand.SCHEDULED_RUNS_KEY).isEqualTo(OrchestrationOptions.SCHEDULED_RUNS.key());
    assertThat(DemoCommand.SCHEDULED_RUNS_ENV).isEqualTo(OrchestrationOptions.SCHEDULED_RUNS.envName());
  }
}
