package io.tidemark.orchestration;

import io.tidemark.core.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/**
 * Configuration of orchestration: which Airflow the Java client talks to, and how the local stack
 * installs and runs one.
 *
 * <p>With {@link #AIRFLOW_URL} unset the client talks to the local stack's Airflow on {@link
 * #API_PORT}; set it (and the credentials) to drive an existing deployment. The local defaults
 * (user {@code tidemark}, password {@code tidemark}) only ever protect a loopback-bound Airflow.
 */
public final class OrchestrationOptions {
  private OrchestrationOptions() {}

  public static final ConfigOption<String> AIRFLOW_URL =
      ConfigOption.stringKey("tidemark.orchestration.airflow-url")
          .description(
              "Base URL of the Airflow API server (http://host:8080); unset means the local stack's"
                  + " Airflow on tidemark.orchestration.api-port.");

  public static final ConfigOption<String> AIRFLOW_USER =
      ConfigOption.stringKey("tidemark.orchestration.airflow-user")
          .defaultValue("tidemark")
          .description("Airflow user the client gets its API token for (POST /auth/token).");

  public static final ConfigOption<String> AIRFLOW_PASSWORD =
      ConfigOption.stringKey("tidemark.orchestration.airflow-password")
          .defaultValue("tidemark")
          .secret()
          .description("Password of tidemark.orchestration.airflow-user; the local stack creates the user with it.");

  public static final ConfigOption<String> AIRFLOW_VERSION =
      ConfigOption.stringKey("tidemark.orchestration.airflow-version")
          .defaultValue("3.1.8")
          .description(
              "apache-airflow release the local stack installs (a lock in orchestration/airflow/ pins its"
                  + " dependencies; the client is generated from this release's REST API spec).");

  public static final ConfigOption<String> VENV_DIR =
      ConfigOption.stringKey("tidemark.orchestration.venv-dir")
          .description("Virtualenv holding the local Airflow; unset means <stack home>/airflow-venv.");

  public static final ConfigOption<String> AIRFLOW_HOME =
      ConfigOption.stringKey("tidemark.orchestration.airflow-home")
          .description(
              "AIRFLOW_HOME of the local Airflow (SQLite metadata DB, logs, pid files); unset means"
                  + " <stack home>/airflow.");

  public static final ConfigOption<String> DAGS_FOLDER =
      ConfigOption.stringKey("tidemark.orchestration.dags-folder")
          .description("DAGs folder of the local Airflow; unset means <project>/orchestration/dags.");

  public static final ConfigOption<String> TIDEMARK_CLI =
      ConfigOption.stringKey("tidemark.orchestration.tidemark-cli")
          .description(
              "Launcher the local Airflow's tasks run, written to the Airflow Variable tidemark_cli"
                  + " at start; unset means <project>/tidemark.");

  public static final ConfigOption<Integer> API_PORT =
      ConfigOption.intKey("tidemark.orchestration.api-port")
          .defaultValue(18080)
          .description("Port of the local Airflow API server (UI, REST API and task execution API), bound to 127.0.0.1.");

  public static final ConfigOption<Double> DRIFT_ALERT_THRESHOLD =
      ConfigOption.doubleKey("tidemark.orchestration.drift-alert-threshold")
          .defaultValue(0.05)
          .description(
              "Relative drift (0.05 = 5 %) above which tidemark_nightly fails; the local stack writes it"
                  + " to the Airflow Variable tidemark_drift_alert_threshold.");

  public static final ConfigOption<Boolean> SCHEDULED_RUNS =
      ConfigOption.booleanKey("tidemark.orchestration.scheduled-runs")
          .defaultValue(true)
          .description(
              "Whether the local Airflow's scheduler creates the DAGs' scheduled runs (Airflow's"
                  + " [scheduler] use_job_schedule); false runs only triggered runs, as tests do.");

  public static final ConfigOption<Duration> START_TIMEOUT =
      ConfigOption.durationKey("tidemark.orchestration.start-timeout")
          .defaultValue(Duration.ofMinutes(3))
          .description("How long starting the local Airflow may take until its API answers and the DAGs are parsed.");

  public static final ConfigOption<Duration> REQUEST_TIMEOUT =
      ConfigOption.durationKey("tidemark.orchestration.request-timeout")
          .defaultValue(Duration.ofSeconds(30))
          .description("Timeout of one request to the Airflow API.");

  public static final ConfigOption<Duration> POLL_INTERVAL =
      ConfigOption.durationKey("tidemark.orchestration.poll-interval")
          .defaultValue(Duration.ofSeconds(2))
          .description("How often `schedule ... --wait` asks Airflow for the state of a run.");

  public static List<ConfigOption<?>> all() {
    return List.of(
        AIRFLOW_URL,
        AIRFLOW_USER,
        AIRFLOW_PASSWORD,
        AIRFLOW_VERSION,
        VENV_DIR,
        AIRFLOW_HOME,
        DAGS_FOLDER,
        TIDEMARK_CLI,
        API_PORT,
        DRIFT_ALERT_THRESHOLD,
        SCHEDULED_RUNS,
        START_TIMEOUT,
        REQUEST_TIMEOUT,
        POLL_INTERVAL);
  }
}
