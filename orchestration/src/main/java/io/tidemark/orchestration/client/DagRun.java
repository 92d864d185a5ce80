package io.tidemark.orchestration.client;

import java.time.Instant;
import java.util.Map;

/**
 * One DAG run as Airflow reports it.
 *
 * @param dagId the DAG
 * @param runId Airflow's run id
 * @param logicalDate the run's logical date, or {@code null} for runs triggered without one
 * @param state {@code queued}, {@code running}, {@code success} or {@code failed}
 * @param startDate when it started running, or {@code null}
 * @param endDate when it ended, or {@code null}
 * @param conf the run's configuration (params)
 */
public record DagRun(
    String dagId,
    String runId,
    Instant logicalDate,
    String state,
    Instant startDate,
    Instant endDate,
    Map<String, Object> conf) {

  /** Whether the run has ended (success or failed): Airflow will not change its state any more. */
  public boolean finished() {
    return "success".equals(state) || "failed".equals(state);
  }
}
