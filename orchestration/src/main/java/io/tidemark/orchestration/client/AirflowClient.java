package io.tidemark.orchestration.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.OrchestrationOptions;
import io.tidemark.orchestration.airflow.api.DagApi;
import io.tidemark.orchestration.airflow.api.DagRunApi;
import io.tidemark.orchestration.airflow.api.ImportErrorApi;
import io.tidemark.orchestration.airflow.api.MonitorApi;
import io.tidemark.orchestration.airflow.api.VariableApi;
import io.tidemark.orchestration.airflow.invoker.ApiClient;
import io.tidemark.orchestration.airflow.invoker.ApiException;
import io.tidemark.orchestration.airflow.model.DAGPatchBody;
import io.tidemark.orchestration.airflow.model.DAGResponse;
import io.tidemark.orchestration.airflow.model.DAGRunResponse;
import io.tidemark.orchestration.airflow.model.HealthInfoResponse;
import io.tidemark.orchestration.airflow.model.ImportErrorCollectionResponse;
import io.tidemark.orchestration.airflow.model.TaskInstanceCollectionResponse;
import io.tidemark.orchestration.airflow.model.TriggerDAGRunPostBody;
import io.tidemark.orchestration.airflow.model.VariableBody;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drives an Airflow 3 deployment through its REST API v2, on top of the client generated from the
 * spec of the pinned Airflow release.
 *
 * <p>Authentication: a JWT from {@code POST /auth/token} with a user name and password (Airflow's
 * simple auth manager and the FAB auth manager both serve it), fetched on first use and fetched
 * again once when a request answers 401 (expired token).
 *
 * <p>Every failure is an {@link AirflowException} whose message is one line naming the Airflow URL
 * and the DAG, run or date concerned; {@link AirflowException#isRetryable()} says whether to retry.
 *
 * <p>Thread-safe: the token is the only mutable state and is replaced atomically.
 *
 * <pre>{@code
 * AirflowClient airflow = AirflowClient.builder()
 *     .baseUrl("http://127.0.0.1:18080")
 *     .credentials("tidemark", "tidemark")
 *     .build();
 * DagRun run = airflow.trigger("tidemark_nightly", LocalDate.parse("2026-11-24"), Map.of());
 * }</pre>
 */
public final class AirflowClient {
  private final String baseUrl;
  private final String user;
  private final String password;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ObjectMapper mapper;
  private final DagApi dags;
  private final DagRunApi dagRuns;
  private final ImportErrorApi importErrors;
  private final VariableApi variables;
  private final MonitorApi monitor;
  private volatile String token;

  private AirflowClient(Builder b) {
    this.baseUrl = b.baseUrl;
    this.user = b.user;
    this.password = b.password;
    this.requestTimeout = b.requestTimeout;
    // HTTP/1.1 only: uvicorn answers a POST carrying an h2c upgrade request with 500.
    HttpClient.Builder httpBuilder =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.requestTimeout);
    this.http = httpBuilder.build();
    ApiClient api = new ApiClient();
    api.setHttpClientBuilder(httpBuilder);
    api.updateBaseUri(baseUrl);
    api.setReadTimeout(requestTimeout);
    api.setConnectTimeout(requestTimeout);
    api.setRequestInterceptor(req -> req.header("Authorization", "Bearer " + token()));
    this.mapper = api.getObjectMapper();
    this.dags = new DagApi(api);
    this.dagRuns = new DagRunApi(api);
    this.importErrors = new ImportErrorApi(api);
    this.variables = new VariableApi(api);
    this.monitor = new MonitorApi(api);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client for the Airflow that {@code cfg} names: an explicit URL, else the local stack's.
   *
   * @throws ConfigException naming the key of a malformed URL or an empty user
   */
  public static AirflowClient fromConfig(TidemarkConfig cfg) {
    String url = cfg.get(OrchestrationOptions.AIRFLOW_URL);
    if (url == null || url.isBlank()) {
      url = "http://127.0.0.1:" + cfg.get(OrchestrationOptions.API_PORT);
    }
    if (!url.matches("https?://[^/\\s]+(/\\S*)?")) {
      throw new ConfigException(OrchestrationOptions.AIRFLOW_URL.key() + " (" + OrchestrationOptions.AIRFLOW_URL.envName()
          + ") must be an http(s) URL such as http://airflow:8080, got '" + url + "'");
    }
    String user = cfg.get(OrchestrationOptions.AIRFLOW_USER);
    if (user == null || user.isBlank()) {
      throw new ConfigException(OrchestrationOptions.AIRFLOW_USER.key() + " (" + OrchestrationOptions.AIRFLOW_USER.envName()
          + ") is empty: the Airflow user the client gets its API token for");
    }
    return builder()
        .baseUrl(url)
        .credentials(user, cfg.get(OrchestrationOptions.AIRFLOW_PASSWORD))
        .requestTimeout(cfg.get(OrchestrationOptions.REQUEST_TIMEOUT))
        .build();
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** Whether the API server answers its health endpoint (needs no credentials). */
  public boolean isHealthy() {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/api/v2/monitor/health")).timeout(requestTimeout).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Health of the metadata DB, scheduler and DAG processor, e.g. {@code scheduler=healthy}. */
  public Map<String, String> health() {
    HealthInfoResponse h = call("read the health of Airflow", () -> monitor.getHealth());
    Map<String, String> m = new LinkedHashMap<>();
    m.put("metadatabase", h.getMetadatabase() == null ? null : h.getMetadatabase().getStatus());
    m.put("scheduler", h.getScheduler() == null ? null : h.getScheduler().getStatus());
    m.put("dag_processor", h.getDagProcessor() == null ? null : h.getDagProcessor().getStatus());
    return m;
  }

  /**
   * Triggers a run of {@code dagId}.
   *
   * <p>Not idempotent: Airflow allows one run per logical date, so a second trigger for the same
   * date fails with {@link AirflowException.Kind#CONFLICT} and leaves the first run untouched.
   *
   * @param logicalDate the run's logical date (midnight UTC of that day), or {@code null} for a run
   *     without one (several may exist, e.g. backfills of different ranges)
   * @param conf the run's configuration, validated by Airflow against the DAG's params
   */
  public DagRun trigger(String dagId, LocalDate logicalDate, Map<String, Object> conf) {
    requireDagId(dagId);
    TriggerDAGRunPostBody body = new TriggerDAGRunPostBody();
    body.setLogicalDate(logicalDate == null ? null : logicalDate.atStartOfDay().atOffset(ZoneOffset.UTC));
    body.setConf(conf == null ? Map.of() : new LinkedHashMap<>(conf));
    String what = "trigger " + dagId + (logicalDate == null ? "" : " for " + logicalDate);
    return toRun(call(what, dagId, () -> dagRuns.triggerDagRun(dagId, body)));
  }

  /** The most recent runs of {@code dagId} ({@code null} or {@code "~"}: all DAGs), newest first. */
  public List<DagRun> runs(String dagId, int limit) {
    String id = dagId == null ? "~" : dagId;
    if (!id.equals("~")) {
      requireDagId(id);
    }
    var page =
        call(
            "list the runs of " + (id.equals("~") ? "all DAGs" : id),
            id.equals("~") ? null : id,
            () ->
                dagRuns.getDagRuns(
                    id, limit, 0, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, List.of("-run_after"),
                    null, null));
    List<DagRun> out = new ArrayList<>();
    page.getDagRuns().forEach(r -> out.add(toRun(r)));
    return out;
  }

  /** One run, as it is now. */
  public DagRun run(String dagId, String runId) {
    requireDagId(dagId);
    return toRun(call("read run " + runId + " of " + dagId, dagId, () -> dagRuns.getDagRun(dagId, runId)));
  }

  /** The task instances of a run, mapped ones one per index. */
  public List<TaskInstance> taskInstances(String dagId, String runId) {
    requireDagId(dagId);
    String path = "/api/v2/dags/" + enc(dagId) + "/dagRuns/" + enc(runId) + "/taskInstances?limit=1000";
    TaskInstanceCollectionResponse page =
        call("list the task instances of run " + runId + " of " + dagId, dagId,
            () -> getJson(path, TaskInstanceCollectionResponse.class));
    List<TaskInstance> out = new ArrayList<>();
    page.getTaskInstances()
        .forEach(
            ti ->
                out.add(
                    new TaskInstance(
                        ti.getTaskId(),
                        ti.getMapIndex() == null ? -1 : ti.getMapIndex(),
                        ti.getState() == null ? null : ti.getState().getValue(),
                        ti.getTryNumber() == null ? 0 : ti.getTryNumber())));
    return out;
  }

  /**
   * Why a task instance's try failed, from its log: the exception Airflow recorded (for a Tidemark
   * task, "tidemark batch run --date D exited with 3: error: ..."), as one line; empty when the log
   * records none (a task killed from outside, or a log that is not there any more).
   */
  public java.util.Optional<String> taskFailure(String dagId, String runId, TaskInstance ti) {
    requireDagId(dagId);
    String path = "/api/v2/dags/" + enc(dagId) + "/dagRuns/" + enc(runId) + "/taskInstances/" + enc(ti.taskId())
        + "/logs/" + Math.max(1, ti.tryNumber()) + "?full_content=true&map_index=" + ti.mapIndex();
    JsonNode log = call("read the log of " + ti.taskId() + " in run " + runId + " of " + dagId, dagId,
        () -> getJson(path, JsonNode.class));
    String failure = null;
    for (JsonNode event : log.path("content")) {
      for (JsonNode error : event.path("error_detail")) {
        String value = error.path("exc_value").asText("");
        if (!value.isBlank()) {
          failure = value;
        }
      }
    }
    return java.util.Optional.ofNullable(failure).map(AirflowClient::oneLine);
  }

  /** One DAG; fails with {@link AirflowException.Kind#NOT_FOUND} when Airflow does not know it. */
  public DagInfo dag(String dagId) {
    requireDagId(dagId);
    return toDag(call("read DAG " + dagId, dagId, () -> dags.getDag(dagId)));
  }

  /** Every DAG Airflow knows (stale ones excluded), sorted by id. */
  public List<DagInfo> dags() {
    var page =
        call(
            "list the DAGs",
            () ->
                dags.getDags(
                    1000, 0, null, null, null, null, null, true, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, List.of("dag_id"), null));
    List<DagInfo> out = new ArrayList<>();
    page.getDags().forEach(d -> out.add(toDag(d)));
    return out;
  }

  /** Pauses or unpauses a DAG. Idempotent. */
  public DagInfo setPaused(String dagId, boolean paused) {
    requireDagId(dagId);
    DAGPatchBody body = new DAGPatchBody();
    body.setIsPaused(paused);
    return toDag(
        call((paused ? "pause " : "unpause ") + dagId, dagId, () -> dags.patchDag(dagId, body, List.of("is_paused"))));
  }

  /** DAG files that failed to import at their last parse. */
  public List<ImportError> importErrors() {
    ImportErrorCollectionResponse page =
        call("list the import errors", () -> importErrors.getImportErrors(1000, 0, null, null));
    List<ImportError> out = new ArrayList<>();
    page.getImportErrors().forEach(e -> out.add(new ImportError(e.getFilename(), e.getStackTrace())));
    return out;
  }

  /** The value of an Airflow Variable; fails with {@link AirflowException.Kind#NOT_FOUND} when it is not set. */
  public String variable(String key) {
    return call("read Variable " + key, () -> variables.getVariable(key)).getValue();
  }

  /** Creates or replaces an Airflow Variable. Idempotent. */
  public void setVariable(String key, String value) {
    VariableBody body = new VariableBody();
    body.setKey(key);
    body.setValue(mapper.getNodeFactory().textNode(value));
    try {
      call("update Variable " + key, () -> variables.patchVariable(key, body, null));
    } catch (AirflowException e) {
      if (e.kind() != AirflowException.Kind.NOT_FOUND) {
        throw e;
      }
      call("create Variable " + key, () -> variables.postVariable(body));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface ApiCall<T> {
    T run() throws ApiException;
  }

  private <T> T call(String what, ApiCall<T> c) {
    return call(what, null, c);
  }

  private <T> T call(String what, String dagId, ApiCall<T> c) {
    try {
      try {
        return c.run();
      } catch (ApiException e) {
        if (e.getCode() != 401) {
          throw e;
        }
        token = null; // expired or revoked: one fresh token, then give up
        return c.run();
      }
    } catch (ApiException e) {
      throw translate(what, dagId, e);
    }
  }

  AirflowException translate(String what, String dagId, ApiException e) {
    int code = e.getCode();
    String prefix = "Cannot " + what + " in Airflow at " + baseUrl + ": ";
    if (code == 0) {
      if (e.getCause() instanceof AirflowException ae) {
        return ae;
      }
      return unreachable(e.getCause() != null ? e.getCause() : e);
    }
    String detail = detail(e.getResponseBody());
    return switch (code) {
      case 401, 403 -> new AirflowException(
          AirflowException.Kind.BAD_CREDENTIALS, code,
          prefix + "user " + user + " is not allowed (" + code + (detail.isEmpty() ? "" : ": " + detail) + ")", e);
      case 404 -> new AirflowException(
          AirflowException.Kind.NOT_FOUND, code,
          dagId != null && !detail.toLowerCase(java.util.Locale.ROOT).matches(".*dag ?run.*")
              ? "Unknown DAG " + dagId + " in Airflow at " + baseUrl
              : prefix + (detail.isEmpty() ? "not found" : detail), e);
      // Airflow's 409 detail carries the failed SQL statement: not something to show a user.
      case 409 -> new AirflowException(
          AirflowException.Kind.CONFLICT, code, prefix + "a run with this logical date or run id exists already", e);
      case 400, 422 -> new AirflowException(
          AirflowException.Kind.INVALID_REQUEST, code, prefix + (detail.isEmpty() ? "invalid request" : detail), e);
      default -> new AirflowException(
          AirflowException.Kind.SERVER_ERROR, code, prefix + "HTTP " + code + (detail.isEmpty() ? "" : ": " + detail), e);
    };
  }

  private AirflowException unreachable(Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (cause instanceof java.net.ConnectException) {
      reason = "connection refused";
    } else if (cause instanceof java.net.http.HttpTimeoutException) {
      reason = "no answer within " + requestTimeout.toSeconds() + " s";
    }
    return new AirflowException(
        AirflowException.Kind.UNREACHABLE, 0,
        "Airflow at " + baseUrl + " is unreachable (" + reason + "); start it with `tidemark stack up --with airflow`"
            + " or set tidemark.orchestration.airflow-url", cause);
  }

  /** FastAPI error bodies: {"detail": "text"} or {"detail": [{"loc": [...], "msg": "..."}]}. */
  private String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode d = mapper.readTree(body).path("detail");
      if (d.isTextual()) {
        return oneLine(d.asText());
      }
      if (d.isArray()) {
        List<String> parts = new ArrayList<>();
        for (JsonNode item : d) {
          String loc = "";
          if (item.path("loc").isArray()) {
            List<String> l = new ArrayList<>();
            item.path("loc").forEach(x -> l.add(x.asText()));
            loc = String.join(".", l.subList(Math.min(1, l.size()), l.size())) + ": ";
          }
          parts.add(loc + item.path("msg").asText());
        }
        return oneLine(String.join("; ", parts));
      }
      if (!d.isMissingNode()) {
        return oneLine(d.toString());
      }
    } catch (IOException ignored) {
      // not JSON: fall through to the raw text
    }
    return oneLine(body);
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  private String token() {
    String t = token;
    if (t == null) {
      synchronized (this) {
        if (token == null) {
          token = fetchToken();
        }
        t = token;
      }
    }
    return t;
  }

  private String fetchToken() {
    String body;
    try {
      body = mapper.writeValueAsString(Map.of("username", user, "password", password));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(baseUrl + "/auth/token"))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(e);
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new AirflowException(
          AirflowException.Kind.BAD_CREDENTIALS, r.statusCode(),
          "Airflow at " + baseUrl + " rejected the credentials of user " + user
              + " (tidemark.orchestration.airflow-user / tidemark.orchestration.airflow-password)", null);
    }
    if (r.statusCode() / 100 != 2) {
      throw new AirflowException(
          r.statusCode() == 404 ? AirflowException.Kind.INVALID_REQUEST : AirflowException.Kind.SERVER_ERROR,
          r.statusCode(),
          "Cannot get an API token from Airflow at " + baseUrl + "/auth/token: HTTP " + r.statusCode()
              + (r.statusCode() == 404 ? " (is this an Airflow 3 API server?)" : ""), null);
    }
    try {
      String t = mapper.readTree(r.body()).path("access_token").asText("");
      if (t.isEmpty()) {
        throw new AirflowException(AirflowException.Kind.SERVER_ERROR,
            "Airflow at " + baseUrl + "/auth/token answered without an access_token");
      }
      return t;
    } catch (IOException e) {
      throw new AirflowException(AirflowException.Kind.SERVER_ERROR, r.statusCode(),
          "Airflow at " + baseUrl + "/auth/token answered with no JSON", e);
    }
  }

  private <T> T getJson(String path, Class<T> type) throws ApiException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + token())
            .GET()
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new ApiException(r.statusCode(), "GET " + path, r.headers(), r.body());
      }
      return mapper.readValue(r.body(), type);
    } catch (IOException e) {
      throw new ApiException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void requireDagId(String dagId) {
    if (dagId == null || !dagId.matches("[A-Za-z0-9_.\\-]{1,250}")) {
      throw new AirflowException(
          AirflowException.Kind.INVALID_REQUEST,
          "Invalid DAG id '" + dagId + "': letters, digits, '_', '.', '-' only");
    }
  }

  private static DagRun toRun(DAGRunResponse r) {
    return new DagRun(
        r.getDagId(),
        r.getDagRunId(),
        instant(r.getLogicalDate()),
        r.getState() == null ? null : r.getState().getValue(),
        instant(r.getStartDate()),
        instant(r.getEndDate()),
        r.getConf() == null ? Map.of() : r.getConf());
  }

  private static DagInfo toDag(DAGResponse d) {
    String schedule = d.getTimetableDescription() != null ? d.getTimetableDescription() : d.getTimetableSummary();
    return new DagInfo(
        d.getDagId(),
        Boolean.TRUE.equals(d.getIsPaused()),
        Boolean.TRUE.equals(d.getHasImportErrors()),
        schedule,
        instant(d.getNextDagrunLogicalDate()));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  /** Fluent construction; {@link #build()} validates. */
  public static final class Builder {
    private String baseUrl;
    private String user;
    private String password;
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The API server's base URL, e.g. {@code http://127.0.0.1:18080} (no {@code /api/v2}). */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    public Builder credentials(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public AirflowClient build() {
      if (baseUrl == null || baseUrl.isBlank()) {
        throw new IllegalArgumentException("Property baseUrl is required but not provided");
      }
      if (user == null || user.isBlank()) {
        throw new IllegalArgumentException("Property user is required but not provided");
      }
      if (password == null) {
        throw new IllegalArgumentException("Property password is required but not provided");
      }
      URI uri;
      try {
        uri = URI.create(baseUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Property baseUrl is not a URL: " + baseUrl);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("Property baseUrl must be an http(s) URL, got " + baseUrl);
      }
      baseUrl = baseUrl.replaceAll("/+$", "");
      return new AirflowClient(this);
    }
  }
}
