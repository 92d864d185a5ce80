package io.tidemark.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.client.AirflowClient;
import io.tidemark.orchestration.client.AirflowException;
import io.tidemark.orchestration.client.DagRun;
import io.tidemark.orchestration.client.TaskInstance;
import io.tidemark.orchestration.stack.AirflowStack;
import io.tidemark.orchestration.stack.AirflowStatus;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DAGs of {@code orchestration/dags/} in a real Airflow 3 (api-server, scheduler and
 * dag-processor as local processes on free ports, SQLite, a temporary AIRFLOW_HOME), driven only
 * through {@link AirflowClient}.
 *
 * <p>The Airflow Variable {@code tidemark_cli} points at a stand-in launcher that records its
 * arguments and prints a reconcile report, so these tests pin down exactly which Tidemark commands
 * each DAG runs; the batch and reconcile commands themselves are tested in their modules.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirflowIT {
  @TempDir static Path tmp;

  static AirflowStack stack;
  static AirflowClient client;
  static Path calls;
  static Path configs;
  static Duration startUp;

  @BeforeAll
  static void startAirflow() throws IOException {
    calls = tmp.resolve("calls.txt");
    Files.createFile(calls);
    configs = tmp.resolve("configs.txt");
    Files.createFile(configs);
    Path fake = tmp.resolve("fake-tidemark");
    Files.writeString(
        fake,
        """
        #!/usr/bin/env bash
        # Stand-in for the tidemark launcher: records its arguments and working directory, and the
        # Spark master of the configuration file it was handed.
        printf '%%s | %%s\\n' "$*" "$PWD" >> '%s'
        { grep -h '^tidemark.batch.spark-master=' "$TIDEMARK_CONFIG" || echo "no $TIDEMARK_CONFIG"; } >> '%s'
        if [[ "$1" == reconcile ]]; then
          echo "reconciling $3"
          echo "{\\"date\\": \\"$3\\", \\"relativeDrift\\": ${TIDEMARK_FAKE_DRIFT:-0.0}}"
        fi
        """.formatted(calls, configs));
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    Path home = Files.createDirectories(tmp.resolve("tidemark-home"));

    TidemarkConfig cfg =
        TidemarkConfig.of(
            Map.of(
                OrchestrationOptions.AIRFLOW_HOME.key(), tmp.resolve("airflow").toString(),
                OrchestrationOptions.API_PORT.key(), Integer.toString(freePort()),
                OrchestrationOptions.TIDEMARK_CLI.key(), fake.toString(),
                OrchestrationOptions.AIRFLOW_PASSWORD.key(), "it-secret",
                // Any other key: the tasks must receive the stack's whole configuration.
                "tidemark.batch.spark-master", "local[1]",
                // Only the runs the tests trigger: unpausing would otherwise also start the latest
                // scheduled run of tidemark_nightly (yesterday) and tidemark_lake_maintenance.
                OrchestrationOptions.SCHEDULED_RUNS.key(), "false",
                OrchestrationOptions.VENV_DIR.key(), AirflowStack.testVenv(System.getenv(), StackOptions.projectRoot(System.getenv(), Path.of(""))).toString()));
    stack = new AirflowStack(cfg);
    // Backstop for a JVM ended by failsafe's fork timeout, where @AfterAll never runs.
    Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "stop-airflow"));
    stack.ensureInstalled(System.err::println);
    Instant t0 = Instant.now();
    stack.start(System.err::println);
    stack.awaitDags(AirflowStack.TIDEMARK_DAGS, Duration.ofSeconds(120));
    startUp = Duration.between(t0, Instant.now());
    System.err.printf("AirflowIT: Airflow healthy with the Tidemark DAGs loaded after %.1f s%n", startUp.toMillis() / 1000.0);
    client = stack.client();
    // Airflow hands a JSON value back re-serialized (with spaces): compare what it says.
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readValue(client.variable("tidemark_env"), Map.class))
        .isEqualTo(Map.of("TIDEMARK_CONFIG", stack.taskConfigFile().toString(), "TIDEMARK_SKIP_BUILD", "1"));
    pointVariablesAtTheTestHome();
  }

  /** start() writes tidemark_home from the configuration; the tests want their own folder. */
  static void pointVariablesAtTheTestHome() {
    client.setVariable("tidemark_home", tmp.resolve("tidemark-home").toString());
  }

  /** What start() writes to tidemark_env: the stack's configuration file, and no rebuilds. */
  static String stackTaskEnv() {
    return "{\"TIDEMARK_CONFIG\":\"" + stack.taskConfigFile() + "\",\"TIDEMARK_SKIP_BUILD\":\"1\"}";
  }

  @AfterAll
  static void stopAirflow() {
    if (stack != null) {
      stack.stop();
      assertThat(stack.status().pids()).isEmpty();
    }
  }

  @Test
  @Order(1)
  void allDagsImportWithNoErrors() {
    assertThat(client.importErrors()).isEmpty();
    assertThat(client.dags()).extracting(d -> d.dagId()).containsAll(AirflowStack.TIDEMARK_DAGS);
    AirflowStatus status = stack.status();
    assertThat(status.healthy()).as(status.detail()).isTrue();
    assertThat(status.pids()).containsOnlyKeys("api-server", "dag-processor", "scheduler");

    Instant t0 = Instant.now();
    assertThat(stack.start(System.err::println).pids()).as("a second start leaves Airflow as it is").isEqualTo(status.pids());
    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(30));
    pointVariablesAtTheTestHome();
  }

  @Test
  @Order(2)
  void nightlyRunsBatchThenReconcileForItsLogicalDate() {
    client.setPaused("tidemark_nightly", false);
    DagRun run = client.trigger("tidemark_nightly", LocalDate.parse("2026-01-05"), Map.of());
    DagRun done = awaitEnd(run, Duration.ofSeconds(150));

    assertThat(done.state()).as(describe(done)).isEqualTo("success");
    assertThat(callsFor("2026-01-05"))
        .containsExactly(
            "batch run --date 2026-01-05 | " + tmp.resolve("tidemark-home"),
            "reconcile --date 2026-01-05 --json | " + tmp.resolve("tidemark-home"));
    assertThat(linesOf(configs))
        .as("each task ran the CLI with the stack's configuration file, which outlives the JVM that started Airflow")
        .containsExactly("tidemark.batch.spark-master=local[1]", "tidemark.batch.spark-master=local[1]",
            "tidemark.batch.spark-master=local[1]");
    assertThat(callsFor("lake await"))
        .as("the archive gate ran first, with the default timeout")
        .containsExactly("lake await --timeout 30m | " + tmp.resolve("tidemark-home"));
    assertThat(client.taskInstances("tidemark_nightly", run.runId()))
        .extracting(TaskInstance::taskId, TaskInstance::state)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("lake_archived", "success"),
            org.assertj.core.groups.Tuple.tuple("batch", "success"),
            org.assertj.core.groups.Tuple.tuple("reconcile", "success"),
            org.assertj.core.groups.Tuple.tuple("check_drift", "success"));
  }

  @Test
  @Order(3)
  void nightlyFailsWhenDriftExceedsTheAlertThreshold() {
    // Without TIDEMARK_CONFIG: the tasks still get the stack's file, from the Airflow processes' environment.
    client.setVariable("tidemark_env", "{\"TIDEMARK_FAKE_DRIFT\": \"0.5\"}");
    try {
      DagRun run = client.trigger("tidemark_nightly", LocalDate.parse("2026-01-06"), Map.of());
      DagRun done = awaitEnd(run, Duration.ofSeconds(150));

      assertThat(done.state()).isEqualTo("failed");
      assertThat(client.taskInstances("tidemark_nightly", run.runId()))
          .extracting(TaskInstance::taskId, TaskInstance::state)
          .contains(
              org.assertj.core.groups.Tuple.tuple("reconcile", "success"),
              org.assertj.core.groups.Tuple.tuple("check_drift", "failed"));
      assertThat(linesOf(configs)).hasSize(6).containsOnly("tidemark.batch.spark-master=local[1]"); // 3 tasks run the CLI per night
    } finally {
      client.setVariable("tidemark_env", stackTaskEnv());
    }
  }

  @Test
  @Order(4)
  void triggeringTheSameDayTwiceIsAConflict() {
    assertThatThrownBy(() -> client.trigger("tidemark_nightly", LocalDate.parse("2026-01-05"), Map.of()))
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.kind()).isEqualTo(AirflowException.Kind.CONFLICT))
        .hasMessageStartingWith("Cannot trigger tidemark_nightly for 2026-01-05 in Airflow at " + stack.url() + ": ");
  }

  @Test
  @Order(5)
  void backfillRunsOneTaskInstancePerDay() {
    client.setPaused("tidemark_backfill", false);
    DagRun run = client.trigger("tidemark_backfill", null, Map.of("from", "2026-01-10", "to", "2026-01-11"));
    DagRun done = awaitEnd(run, Duration.ofSeconds(150));

    assertThat(done.state()).as(describe(done)).isEqualTo("success");
    List<TaskInstance> days =
        client.taskInstances("tidemark_backfill", run.runId()).stream()
            .filter(t -> t.taskId().equals("backfill_day"))
            .sorted(Comparator.comparingInt(TaskInstance::mapIndex))
            .toList();
    assertThat(days).extracting(TaskInstance::mapIndex).containsExactly(0, 1);
    assertThat(days).extracting(TaskInstance::state).containsOnly("success");
    assertThat(callsFor("2026-01-1"))
        .containsExactlyInAnyOrder(
            "backfill --from 2026-01-10 --to 2026-01-10 | " + tmp.resolve("tidemark-home"),
            "backfill --from 2026-01-11 --to 2026-01-11 | " + tmp.resolve("tidemark-home"));
  }

  @Test
  @Order(6)
  void backfillWithoutItsRangeIsRefusedByAirflow() {
    assertThatThrownBy(() -> client.trigger("tidemark_backfill", null, Map.of("from", "2026-01-12")))
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.kind()).isEqualTo(AirflowException.Kind.INVALID_REQUEST))
        .hasMessage("Cannot trigger tidemark_backfill in Airflow at " + stack.url()
            + ": Invalid input for param to: No value passed and Param has no default value");
  }

  @Test
  @Order(6)
  void backfillWithTheEndBeforeTheStartFails() {
    DagRun run = client.trigger("tidemark_backfill", null, Map.of("from", "2026-01-12", "to", "2026-01-11"));
    assertThat(awaitEnd(run, Duration.ofSeconds(120)).state()).isEqualTo("failed");
    assertThat(callsFor("2026-01-12")).isEmpty();
  }

  @Test
  @Order(7)
  void lakeMaintenanceRunsLakeMaintainWithTheConfiguredArguments() {
    client.setVariable("tidemark_lake_maintain_args", "[\"--json\"]");
    client.setPaused("tidemark_lake_maintenance", false);
    DagRun run = client.trigger("tidemark_lake_maintenance", null, Map.of());
    DagRun done = awaitEnd(run, Duration.ofSeconds(120));
    client.setPaused("tidemark_lake_maintenance", true);

    assertThat(done.state()).as(describe(done)).isEqualTo("success");
    assertThat(callsFor("lake maintain"))
        .containsExactly("lake maintain --json | " + tmp.resolve("tidemark-home"));
  }

  @Test
  @Order(8)
  void pauseAndUnpauseAreReflectedByTheApi() {
    assertThat(client.setPaused("tidemark_lake_maintenance", false).paused()).isFalse();
    assertThat(client.dag("tidemark_lake_maintenance").paused()).isFalse();
    assertThat(client.setPaused("tidemark_lake_maintenance", true).paused()).isTrue();
    assertThat(client.dag("tidemark_lake_maintenance").paused()).isTrue();
  }

  @Test
  @Order(9)
  void unknownDagAndBadCredentialsFailWithOneLine() {
    assertThatThrownBy(() -> client.dag("tidemark_nope"))
        .isInstanceOf(AirflowException.class)
        .hasMessage("Unknown DAG tidemark_nope in Airflow at " + stack.url());
    assertThatThrownBy(() -> client.trigger("tidemark_nope", LocalDate.parse("2026-01-05"), Map.of()))
        .hasMessage("Unknown DAG tidemark_nope in Airflow at " + stack.url());
    AirflowClient wrong = AirflowClient.builder().baseUrl(stack.url()).credentials("tidemark", "wrong").build();
    assertThatThrownBy(wrong::dags)
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.kind()).isEqualTo(AirflowException.Kind.BAD_CREDENTIALS))
        .hasMessage("Airflow at " + stack.url() + " rejected the credentials of user tidemark"
            + " (tidemark.orchestration.airflow-user / tidemark.orchestration.airflow-password)");
  }

  /** What the schedule command needs to reach this test's Airflow, polling every second. */
  private static TidemarkConfig scheduleConfig() {
    return TidemarkConfig.of(Map.of(
        OrchestrationOptions.AIRFLOW_URL.key(), stack.url(),
        OrchestrationOptions.AIRFLOW_PASSWORD.key(), "it-secret",
        OrchestrationOptions.POLL_INTERVAL.key(), "1s"));
  }

  @Test
  @Order(10)
  void scheduleCommandTriggersFollowsListsAndPauses() {
    TidemarkConfig cfg = scheduleConfig();

    Result trigger = schedule(cfg, "trigger", "--date", "2026-01-07", "--wait", "--json");
    assertThat(trigger.code()).as(trigger.err()).isZero();
    assertThat(trigger.out()).contains("\"state\" : \"success\"").contains("\"logicalDate\" : \"2026-01-07T00:00:00Z\"");
    assertThat(trigger.err()).contains("  batch: success").contains("  check_drift: success");
    assertThat(callsFor("2026-01-07")).hasSize(2);

    Result runs = schedule(cfg, "runs", "--dag", "tidemark_nightly");
    assertThat(runs.code()).isZero();
    assertThat(runs.out()).startsWith("DAG").containsPattern("tidemark_nightly +2026-01-07 +success");

    Result pause = schedule(cfg, "pause", "--dag", "tidemark_backfill");
    assertThat(pause.out()).isEqualTo("tidemark_backfill: paused" + System.lineSeparator());
    assertThat(client.dag("tidemark_backfill").paused()).isTrue();

    Result status = schedule(cfg, "status");
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("scheduler healthy").contains("tidemark_nightly");

    Result unknown = schedule(cfg, "trigger", "--dag", "tidemark_nope", "--date", "2026-01-07");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("Unknown DAG tidemark_nope in Airflow at " + stack.url() + System.lineSeparator());
  }

  @Test
  @Order(11)
  void scheduleWaitSaysWhyATaskFailed() {
    TidemarkConfig cfg = scheduleConfig();
    client.setVariable("tidemark_env", "{\"TIDEMARK_FAKE_DRIFT\": \"0.5\"}");
    try {
      Result failed = schedule(cfg, "trigger", "--date", "2026-01-08", "--wait");

      assertThat(failed.code()).isEqualTo(1);
      assertThat(failed.err()).contains("  reconcile: success" + System.lineSeparator())
          .contains("  check_drift: failed - Drift alert for 2026-01-08: relative drift 50.0000% exceeds the threshold"
              + " 5.0000% (Variable tidemark_drift_alert_threshold). ClickHouse was reconciled; see `tidemark drift --date"
              + " 2026-01-08 --details`" + System.lineSeparator());
      assertThat(failed.out()).containsPattern("tidemark_nightly +2026-01-08 +failed");
    } finally {
      client.setVariable("tidemark_env", stackTaskEnv());
    }
  }

  record Result(int code, String out, String err) {}

  private static Result schedule(TidemarkConfig cfg, String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    ScheduleMain main = new ScheduleMain(cfg, AirflowClient::fromConfig);
    main.out = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
    main.err = new java.io.PrintStream(err, true, StandardCharsets.UTF_8);
    int code = main.commandLine().execute(args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------------------------

  private static DagRun awaitEnd(DagRun run, Duration timeout) {
    AtomicReference<DagRun> last = new AtomicReference<>(run);
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .alias("run " + run.runId() + " of " + run.dagId() + " to end")
        .until(() -> {
          last.set(client.run(run.dagId(), run.runId()));
          return last.get().finished();
        });
    return last.get();
  }

  private static String describe(DagRun run) {
    return run.dagId() + " " + run.runId() + ": " + client.taskInstances(run.dagId(), run.runId())
        + " (task logs under " + stack.airflowHome().resolve("logs") + ")";
  }

  private static List<String> linesOf(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> callsFor(String date) {
    try {
      return Files.readAllLines(calls, StandardCharsets.UTF_8).stream().filter(l -> l.contains(date)).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
