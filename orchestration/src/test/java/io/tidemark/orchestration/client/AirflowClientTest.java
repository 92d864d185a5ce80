package io.tidemark.orchestration.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link AirflowClient} against responses recorded from a real Airflow 3.1.8 (src/test/resources/
 * airflow-3.1.8, one file per response, the status code next to it), served by a tiny HTTP server
 * that also records what the client sent. AirflowIT runs the same client against a live Airflow.
 */
class AirflowClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private String url;
  /** "METHOD /path" (query ignored) to recorded response names, served in order; the last one repeats. */
  private final Map<String, Deque<String>> routes = new LinkedHashMap<>();
  private final List<String> requests = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();
  private final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      synchronized (requests) {
        requests.add(key + (query == null ? "" : "?" + query));
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      }
      Deque<String> names = routes.get(key);
      String name = names == null ? null : names.size() > 1 ? names.poll() : names.peek();
      byte[] body;
      int status;
      if (name == null) {
        status = 404;
        body = "{\"detail\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
      } else {
        body = resource(name + ".json");
        status = Integer.parseInt(new String(resource(name + ".status"), StandardCharsets.US_ASCII).trim());
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
    route("POST /auth/token", "token-ok");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void route(String key, String... names) {
    routes.put(key, new ArrayDeque<>(List.of(names)));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = AirflowClientTest.class.getResourceAsStream("/airflow-3.1.8/" + name)) {
      if (in == null) {
        throw new IOException("No recorded response " + name);
      }
      return in.readAllBytes();
    }
  }

  private AirflowClient client() {
    return AirflowClient.builder().baseUrl(url).credentials("tidemark", "it-secret").build();
  }

  @Test
  void fetchesOneTokenAndSendsItAsBearerOnEveryCall() throws IOException {
    route("GET /api/v2/dags/tidemark_nightly", "dag");
    route("GET /api/v2/dags", "dags");
    AirflowClient client = client();

    DagInfo nightly = client.dag("tidemark_nightly");
    List<DagInfo> dags = client.dags();

    assertThat(nightly.dagId()).isEqualTo("tidemark_nightly");
    assertThat(nightly.paused()).isTrue();
    assertThat(nightly.hasImportErrors()).isFalse();
    assertThat(dags).extracting(DagInfo::dagId)
        .containsExactly("tidemark_backfill", "tidemark_lake_maintenance", "tidemark_nightly");
    assertThat(requests).filteredOn(r -> r.startsWith("POST /auth/token")).hasSize(1);
    JsonNode login = JSON.readTree(bodies.get(0));
    assertThat(login.path("username").asText()).isEqualTo("tidemark");
    assertThat(login.path("password").asText()).isEqualTo("it-secret");
    assertThat(authorizations.subList(1, authorizations.size())).containsOnly("Bearer recorded-token");
  }

  @Test
  void triggerSendsMidnightUtcOfTheDayAndTheConf() throws IOException {
    route("POST /api/v2/dags/tidemark_nightly/dagRuns", "trigger-nightly");

    DagRun run = client().trigger("tidemark_nightly", LocalDate.parse("2026-01-05"), Map.of("note", "x"));

    JsonNode sent = JSON.readTree(bodies.get(bodies.size() - 1));
    assertThat(sent.path("logical_date").asText()).isIn("2026-01-05T00:00:00Z", "2026-01-05T00:00Z");
    assertThat(sent.path("conf").path("note").asText()).isEqualTo("x");
    assertThat(run.dagId()).isEqualTo("tidemark_nightly");
    assertThat(run.logicalDate()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
    assertThat(run.state()).isEqualTo("queued");
    assertThat(run.finished()).isFalse();
  }

  @Test
  void triggerWithoutLogicalDateSendsAnExplicitNull() throws IOException {
    route("POST /api/v2/dags/tidemark_backfill/dagRuns", "trigger");

    DagRun run = client().trigger("tidemark_backfill", null, Map.of("from", "2026-01-10", "to", "2026-01-11"));

    JsonNode sent = JSON.readTree(bodies.get(bodies.size() - 1));
    assertThat(sent.has("logical_date")).isTrue();
    assertThat(sent.get("logical_date").isNull()).isTrue();
    assertThat(run.logicalDate()).isNull();
    assertThat(run.conf()).containsEntry("from", "2026-01-10");
  }

  @Test
  void readsRunsAndTheirTaskInstances() {
    route("GET /api/v2/dags/tidemark_backfill/dagRuns", "dag-runs");
    String runId = "manual__2026-11-25T18:06:41.029896+00:00";
    route("GET /api/v2/dags/tidemark_backfill/dagRuns/" + runId.replace(":", "%3A").replace("+", "%2B"), "dag-run");
    route("GET /api/v2/dags/tidemark_backfill/dagRuns/" + runId.replace(":", "%3A").replace("+", "%2B") + "/taskInstances",
        "task-instances");
    AirflowClient client = client();

    List<DagRun> runs = client.runs("tidemark_backfill", 20);
    List<TaskInstance> tis = client.taskInstances("tidemark_backfill", runId);

    assertThat(runs).extracting(DagRun::runId).contains(runId);
    // Recorded with the Variable tidemark_cli unset: the days failed (AirflowFailException, no retry).
    assertThat(runs.get(0).state()).isEqualTo("failed");
    assertThat(runs.get(0).finished()).isTrue();
    assertThat(requests).anyMatch(r -> r.contains("order_by=-run_after") && r.contains("limit=20"));
    assertThat(tis).extracting(TaskInstance::taskId, TaskInstance::mapIndex, TaskInstance::state)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("days", -1, "success"),
            org.assertj.core.groups.Tuple.tuple("backfill_day", 0, "failed"),
            org.assertj.core.groups.Tuple.tuple("backfill_day", 1, "failed"));
  }

  @Test
  void readsWhyATaskFailedFromItsLog() {
    String runId = "manual__2026-11-26T05:32:20.775597+00:00";
    String run = "/api/v2/dags/tidemark_nightly/dagRuns/" + runId.replace(":", "%3A").replace("+", "%2B");
    route("GET " + run + "/taskInstances/batch/logs/1", "task-log-failed");
    AirflowClient client = client();

    assertThat(client.taskFailure("tidemark_nightly", runId, new TaskInstance("batch", -1, "failed", 1)))
        .contains("tidemark batch run --date 2026-11-21 exited with 3: error: Cannot load lake table"
            + " tidemark.lake.pageview_events: [TABLE_OR_VIEW_NOT_FOUND] The table or view lake.pageview_events cannot be"
            + " found. Verify the spelling and correctness of the schema and catalog.");
    assertThat(requests).last().isEqualTo("GET " + run + "/taskInstances/batch/logs/1?full_content=true&map_index=-1");
    // A log without a recorded exception (here: another endpoint's answer) says nothing.
    route("GET " + run + "/taskInstances/reconcile/logs/2", "dag");
    assertThat(client.taskFailure("tidemark_nightly", runId, new TaskInstance("reconcile", -1, "failed", 2))).isEmpty();
  }

  @Test
  void listsImportErrorsWithTheirFile() {
    route("GET /api/v2/importErrors", "import-errors");

    List<ImportError> errors = client().importErrors();

    assertThat(errors).extracting(ImportError::filename).containsExactly("broken_dag.py");
    assertThat(errors.get(0).stackTrace()).contains("No module named 'no_such_module'");
  }

  @Test
  void pauseSendsAnUpdateMaskAndReturnsTheNewState() throws IOException {
    route("PATCH /api/v2/dags/tidemark_backfill", "patch-unpause");

    DagInfo dag = client().setPaused("tidemark_backfill", false);

    assertThat(dag.paused()).isFalse();
    assertThat(requests).anyMatch(r -> r.equals("PATCH /api/v2/dags/tidemark_backfill?update_mask=is_paused"));
    assertThat(JSON.readTree(bodies.get(bodies.size() - 1)).path("is_paused").asBoolean(true)).isFalse();
  }

  @Test
  void setVariableCreatesItWhenItDoesNotExist() {
    route("PATCH /api/v2/variables/tidemark_x", "variable-missing");
    route("POST /api/v2/variables", "variable-created");

    client().setVariable("tidemark_x", "v");

    assertThat(requests).filteredOn(r -> r.contains("variables")).hasSize(2);
    assertThat(bodies.get(bodies.size() - 1)).contains("\"key\":\"tidemark_x\"").contains("\"value\":\"v\"");
  }

  @Test
  void expiredTokenIsReplacedOnceThenTheCallIsRepeated() {
    route("GET /api/v2/dags/tidemark_nightly", "no-token", "dag");

    assertThat(client().dag("tidemark_nightly").dagId()).isEqualTo("tidemark_nightly");
    assertThat(requests).filteredOn(r -> r.startsWith("POST /auth/token")).hasSize(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown DAG on read|GET /api/v2/dags/tidemark_nope|dag-unknown|NOT_FOUND|Unknown DAG tidemark_nope in Airflow at URL",
        "unknown DAG on trigger|POST /api/v2/dags/tidemark_nope/dagRuns|trigger-unknown|NOT_FOUND|Unknown DAG tidemark_nope in Airflow at URL",
        "run exists|POST /api/v2/dags/tidemark_nightly/dagRuns|trigger-conflict|CONFLICT|Cannot trigger tidemark_nightly for 2026-01-05 in Airflow at URL: a run with this logical date or run id exists already",
      })
  void failuresAreOneLineNamingTheDagAndAirflow(String name, String route, String response, String kind, String message) {
    route(route, response);
    AirflowClient client = client();

    assertThatThrownBy(() -> {
          if (route.startsWith("GET")) {
            client.dag("tidemark_nope");
          } else if (route.contains("tidemark_nope")) {
            client.trigger("tidemark_nope", LocalDate.parse("2026-01-05"), Map.of());
          } else {
            client.trigger("tidemark_nightly", LocalDate.parse("2026-01-05"), Map.of());
          }
        })
        .isInstanceOfSatisfying(AirflowException.class, e -> {
          assertThat(e.kind().name()).isEqualTo(kind);
          assertThat(e.isRetryable()).isFalse();
        })
        .hasMessage(message.replace("URL", url));
  }

  @Test
  void unknownRunIsNotReportedAsUnknownDag() {
    route("GET /api/v2/dags/tidemark_backfill/dagRuns/nope", "run-unknown");

    assertThatThrownBy(() -> client().run("tidemark_backfill", "nope"))
        .hasMessage("Cannot read run nope of tidemark_backfill in Airflow at " + url
            + ": The DagRun with dag_id: `tidemark_backfill` and run_id: `nope` was not found");
  }

  @Test
  void invalidDateRejectedByAirflowIsOneLine() {
    route("POST /api/v2/dags/tidemark_nightly/dagRuns", "trigger-invalid-date");

    assertThatThrownBy(() -> client().trigger("tidemark_nightly", LocalDate.parse("2026-01-05"), Map.of()))
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.kind()).isEqualTo(AirflowException.Kind.INVALID_REQUEST))
        .hasMessage("Cannot trigger tidemark_nightly for 2026-01-05 in Airflow at " + url
            + ": logical_date: Input should be a valid datetime or date, month value is outside expected range of 1-12");
  }

  @Test
  void paramsRejectedByAirflowAreOneLine() {
    route("POST /api/v2/dags/tidemark_backfill/dagRuns", "trigger-bad-params");

    assertThatThrownBy(() -> client().trigger("tidemark_backfill", null, Map.of("from", "yesterday", "to", "2026-01-11")))
        .hasMessageStartingWith("Cannot trigger tidemark_backfill in Airflow at " + url
            + ": Invalid input for param from: 'yesterday' does not match")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void badCredentialsAreOneLine() {
    route("POST /auth/token", "token-bad");

    assertThatThrownBy(() -> client().dags())
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.kind()).isEqualTo(AirflowException.Kind.BAD_CREDENTIALS))
        .hasMessage("Airflow at " + url + " rejected the credentials of user tidemark"
            + " (tidemark.orchestration.airflow-user / tidemark.orchestration.airflow-password)");
  }

  @Test
  void unreachableAirflowIsOneRetryableLine() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    AirflowClient client = AirflowClient.builder().baseUrl("http://127.0.0.1:" + closed).credentials("u", "p").build();

    assertThat(client.isHealthy()).isFalse();
    assertThatThrownBy(client::dags)
        .isInstanceOfSatisfying(AirflowException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessage("Airflow at http://127.0.0.1:" + closed + " is unreachable (connection refused); start it with"
            + " `tidemark stack up --with airflow` or set tidemark.orchestration.airflow-url");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tidemark nightly",
        "'tidemark_nightly;rm -rf /'",
        "''",
      })
  void invalidDagIdsAreRefusedBeforeAnyRequest(String dagId) {
    assertThatThrownBy(() -> client().dag(dagId))
        .isInstanceOf(AirflowException.class)
        .hasMessageStartingWith("Invalid DAG id '");
    assertThat(requests).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "null|tidemark|Property baseUrl is required but not provided",
        "ftp://host|tidemark|Property baseUrl must be an http(s) URL, got ftp://host",
        "http://127.0.0.1:1|null|Property user is required but not provided",
      })
  void builderNamesTheMissingOrInvalidProperty(String baseUrl, String user, String message) {
    assertThatThrownBy(() -> AirflowClient.builder().baseUrl(baseUrl).credentials(user, "p").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
