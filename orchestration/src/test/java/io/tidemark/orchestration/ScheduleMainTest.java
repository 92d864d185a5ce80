package io.tidemark.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.client.AirflowClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command-line validation of {@code tidemark schedule}; AirflowIT runs it against a real Airflow. */
class ScheduleMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String url, String... args) {
    TidemarkConfig cfg = TidemarkConfig.of(Map.of(OrchestrationOptions.AIRFLOW_URL.key(), url));
    ScheduleMain main = new ScheduleMain(cfg, AirflowClient::fromConfig);
    main.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    main.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    main.clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-25T08:00:00Z"), java.time.ZoneOffset.UTC);
    return main.commandLine().execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "trigger --date 2026-13-01|Invalid --date '2026-13-01': expected a UTC day as YYYY-MM-DD",
        "trigger --date yesterday|Invalid --date 'yesterday': expected a UTC day as YYYY-MM-DD",
        "backfill --from 2026-01-02 --to 2026-01-01|Invalid range: --to 2026-01-01 is before --from 2026-01-02",
        "backfill --from 2026-01-01 --to 2026-02-30|Invalid --to '2026-02-30': expected a UTC day as YYYY-MM-DD",
        "trigger --date 2026-11-25|Invalid --date 2026-11-25: the UTC day has not ended yet (today is 2026-11-25)",
        "backfill --from 2026-11-20 --to 2026-11-26|Invalid --to 2026-11-26: the UTC day has not ended yet (today is 2026-11-25)",
      })
  void invalidDatesAreOneLineAndExitTwoBeforeAnyRequest(String args, String message) {
    int code = run("http://127.0.0.1:1", args.split(" "));

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo(message + System.lineSeparator());
  }

  @Test
  void unreachableAirflowIsOneLineAndExitOne() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    int code = run("http://127.0.0.1:" + closed, "runs");

    assertThat(code).isEqualTo(1);
    assertThat(err()).isEqualTo("Airflow at http://127.0.0.1:" + closed + " is unreachable (connection refused); start it"
        + " with `tidemark stack up --with airflow` or set tidemark.orchestration.airflow-url" + System.lineSeparator());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "notaurl|tidemark.orchestration.airflow-url (TIDEMARK_ORCHESTRATION_AIRFLOW_URL) must be an http(s) URL such as"
            + " http://airflow:8080, got 'notaurl'",
        "ftp://airflow:21|tidemark.orchestration.airflow-url (TIDEMARK_ORCHESTRATION_AIRFLOW_URL) must be an http(s) URL"
            + " such as http://airflow:8080, got 'ftp://airflow:21'",
      })
  void malformedAirflowUrlIsOneLineNamingTheKeyAndExitTwo(String url, String message) {
    assertThat(run(url, "status")).isEqualTo(2);
    assertThat(err()).isEqualTo(message + System.lineSeparator());
  }

  @Test
  void malformedDagIdIsRefusedBeforeAnyRequestWithExitTwo() {
    assertThat(run("http://127.0.0.1:1", "pause", "--dag", "x;rm")).isEqualTo(2);
    assertThat(err()).isEqualTo("Invalid DAG id 'x;rm': letters, digits, '_', '.', '-' only" + System.lineSeparator());
  }

  @Test
  void missingDateIsAUsageError() {
    assertThat(run("http://127.0.0.1:1", "trigger")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--date=YYYY-MM-DD'");
  }
}
