package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.serving.api.ApiRoutes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server without ClickHouse (pointed at a closed port): routes vs the OpenAPI document,
 * parameter validation (answered before any query), admin token, errors when ClickHouse is down.
 */
class ServingServerTest {
  private static ServingServer server;

  @BeforeAll
  static void start() {
    server =
        ServingServer.start(
            TidemarkConfig.of(Map.of(
                ClickHouseOptions.URL.key(), "http://127.0.0.1:1",
                ServingOptions.PORT.key(), "0",
                ServingOptions.QUERY_TIMEOUT.key(), "2s",
                ServingOptions.ADMIN_TOKEN.key(), "0123456789abcdef-test")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyRouteIsInTheOpenApiDocumentAndEveryDocumentedPathIsARoute() {
    JsonNode spec = Http.get(server.url() + "/openapi.json").json();
    JsonNode paths = spec.get("paths");
    for (ApiRoutes.Route r : server.routes()) {
      assertThat(paths.has(r.path())).as("openapi.json documents %s", r.path()).isTrue();
      assertThat(paths.get(r.path()).has(r.method().name().toLowerCase(Locale.ROOT)))
          .as("openapi.json documents %s %s", r.method(), r.path()).isTrue();
    }
    Iterator<String> documented = paths.fieldNames();
    while (documented.hasNext()) {
      String path = documented.next();
      boolean isRoute = server.routes().stream().anyMatch(r -> r.path().equals(path));
      assertThat(isRoute || path.equals("/openapi.json") || path.equals("/metrics"))
          .as("documented path %s is served", path).isTrue();
    }
    assertThat(spec.get("openapi").asText()).startsWith("3.");
  }

  @Test
  void openApiDocumentsExactlyTheParametersEachRouteAccepts() {
    JsonNode spec = Http.get(server.url() + "/openapi.json").json();
    for (ApiRoutes.Route r : server.routes()) {
      JsonNode op = spec.get("paths").get(r.path()).get(r.method().name().toLowerCase(Locale.ROOT));
      java.util.Set<String> query = new java.util.TreeSet<>();
      java.util.Set<String> path = new java.util.TreeSet<>();
      for (JsonNode param : op.path("parameters")) {
        JsonNode p = param.has("$ref") ? spec.at(param.get("$ref").asText().substring(1)) : param;
        (p.get("in").asText().equals("path") ? path : query).add(p.get("name").asText());
      }
      assertThat(query).as("query parameters of %s %s in openapi.json", r.method(), r.path())
          .isEqualTo(new java.util.TreeSet<>(r.queryParams()));
      java.util.Set<String> placeholders = new java.util.TreeSet<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)}").matcher(r.path());
      while (m.find()) {
        placeholders.add(m.group(1));
      }
      assertThat(path).as("path parameters of %s %s in openapi.json", r.method(), r.path()).isEqualTo(placeholders);
      if (!r.queryParams().isEmpty() || !placeholders.isEmpty()) {
        assertThat(op.get("responses").has("400")).as("%s %s documents its 400", r.method(), r.path()).isTrue();
      }
      if (r.path().startsWith("/api/admin/")) {
        assertThat(op.get("security")).as("%s %s documents the admin token", r.method(), r.path()).isNotEmpty();
        assertThat(op.get("responses").has("401") && op.get("responses").has("403")).isTrue();
      }
    }
  }

  @Test
  void adminEndpointIsForbiddenWhileNoTokenIsConfigured() {
    try (ServingServer noToken = ServingServer.start(TidemarkConfig.of(Map.of(
        ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.PORT.key(), "0")))) {
      Http.Response r = Http.post(noToken.url() + "/api/admin/cache/clear", "", "Authorization", "Bearer 0123456789abcdef-test");
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.json().get("error").asText()).isEqualTo("admin_disabled");
      assertThat(r.json().get("message").asText())
          .isEqualTo("Admin endpoints are disabled: set tidemark.serving.admin-token to enable them");
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /api/counts/user?from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z | Parameter 'user_id' is required
      /api/counts/user?user_id=u1&from=yesterday&to=2026-11-24T11:00:00Z | Parameter 'from' is not a time: 'yesterday' (expected ISO-8601 such as 2026-11-24T10:00:00Z, or epoch milliseconds)
      /api/counts/user?user_id=u1&from=2026-11-24T11:00:00Z&to=2026-11-24T10:00:00Z | Parameter 'from' (2026-11-24T11:00:00Z) must be before 'to' (2026-11-24T10:00:00Z)
      /api/counts/user?user_id=u1&from=2026-11-20T00:00:00Z&to=2026-11-24T00:00:00Z | Range 2026-11-20T00:00:00Z .. 2026-11-24T00:00:00Z is 4d long; at most 1d allowed
      /api/counts/user?user_id=u1&from=2026-11-24T10:00:00.250Z&to=2026-11-24T11:00:00Z | Parameter 'from' has a fraction of a second (2026-11-24T10:00:00.250Z); give whole seconds
      /api/counts/user?user_id=u1&from=1000&to=2000 | Parameter 'from' is 1970-01-01T00:00:01Z, outside 1970-01-02T00:00:00Z .. 2105-12-31T00:00:00Z
      /api/counts/user?user_id=u1&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&limit=abc | Parameter 'limit' must be a whole number, got 'abc'
      /api/counts/user?user_id=u1&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&limit=0 | Parameter 'limit' is 0; allowed 1 .. 1000
      /api/counts/user?user_id=u1&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&limit=99999999999999999999 | Parameter 'limit' must be a whole number, got '99999999999999999999'
      /api/counts/user?user_id=%20u1&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z | Parameter 'user_id' has leading or trailing whitespace
      /api/counts/user?user_id=u%0A1&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z | Parameter 'user_id' contains a control character at position 1
      /api/counts/user?user_id=u1&user_id=u2&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z | Parameter 'user_id' is given 2 times; give it once
      /api/counts/page?page_url=/home&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&limt=5 | Unknown parameter 'limt'; allowed: from, limit, page_url, to
      /api/top-pages?minutes=-1 | Parameter 'minutes' is -1; allowed 1 .. 1440
      /api/top-pages?minutes=1441 | Parameter 'minutes' is 1441; allowed 1 .. 1440
      /api/top-pages?limit=1001 | Parameter 'limit' is 1001; allowed 1 .. 1000
      /api/totals?minutes=10&from=2026-11-24T10:00:00Z | Give either 'minutes' or 'from' and 'to', not both
      /api/totals?from=2026-11-24T10:00:00Z | Parameter 'to' is required (ISO-8601 such as 2026-11-24T10:00:00Z, or epoch milliseconds)
      /api/freshness?x=1 | Unknown parameter 'x': this endpoint takes none
      /api/drift/reports?days=0 | Parameter 'days' is 0; allowed 1 .. 366
      /api/drift/reports/2026-13-40 | Parameter 'day' is not a calendar day: '2026-13-40'
      /api/drift/reports/yesterday | Parameter 'day' must be a day such as 2026-11-24, got 'yesterday'
      /api/top-pages?minutes=%zz | Parameter 'minutes' has a malformed percent-encoding at character 0 ('%zz'): '%' must be followed by two hex digits; write a literal % as %25
      /api/counts/user?user_id=abc%&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z | Parameter 'user_id' has a malformed percent-encoding at character 3 ('%'): '%' must be followed by two hex digits; write a literal % as %25
      """)
  void rejectsBadParametersWith400AndAMessage(String path, String message) throws Exception {
    // sent as written (java.net.URI refuses a malformed escape such as %zz, which clients do send)
    Raw r = Raw.send(server.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(json.get("error").asText()).isEqualTo("bad_request");
    assertThat(json.get("message").asText()).isEqualTo(message);
  }

  @Test
  void rejectsUserIdLongerThanTheEventContractAllows() {
    String longId = "u".repeat(257);
    Http.Response r = Http.get(server.url() + "/api/counts/user?user_id=" + URLEncoder.encode(longId, StandardCharsets.UTF_8)
        + "&from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).isEqualTo("Parameter 'user_id' is 257 characters long; at most 256 allowed");
  }

  @Test
  void answers503WithoutInternalUrlsOrExceptionsWhenClickHouseIsUnreachable() {
    Http.Response r = Http.get(server.url() + "/api/freshness");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("{\"error\":\"clickhouse_unavailable\",\"message\":\"" + ApiRoutes.CLICKHOUSE_UNAVAILABLE + "\"}");
    assertThat(Http.get(server.url() + "/metrics").body())
        .contains("tidemark_serving_clickhouse_query_errors_total{query=\"freshness\",reason=\"unavailable\"}");
  }

  @Test
  void healthIs503WhileClickHouseIsDown() {
    Http.Response r = Http.get(server.url() + "/api/health");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"down\",\"clickhouse\":{\"status\":\"down\",\"message\":\"" + ApiRoutes.CLICKHOUSE_UNAVAILABLE + "\"}}");
  }

  @Test
  void headRunsTheSameValidationAsGet() {
    assertThat(head("/api/top-pages?minutes=-1")).isEqualTo(400);
    assertThat(head("/api/top-pages?limt=1")).isEqualTo(400);
    assertThat(head("/api/top-pages?minutes=%zz")).isEqualTo(400);
    assertThat(head("/api/freshness")).isEqualTo(503);
    assertThat(head("/api/dashboard-config")).isEqualTo(200);
  }

  private static int head(String path) {
    Raw r = Raw.send(server.port(), "HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(r.body()).as("HEAD %s has no body", path).isEmpty();
    return r.status();
  }

  @Test
  void everyAnswerCarriesNosniffAndAPolicyThatForbidsFraming() {
    for (String path : List.of("/", "/dashboard.js", "/api/dashboard-config", "/api/nope", "/api/top-pages?minutes=0", "/metrics")) {
      Raw r = Raw.send(server.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
      assertThat(r.header("Content-Security-Policy")).as(path).contains("frame-ancestors 'none'", "default-src 'self'");
      assertThat(r.header("X-Frame-Options")).as(path).isEqualTo("DENY");
    }
  }

  @Test
  void aHostNotOnTheAllowListIs403SoDnsRebindingPagesCannotReadTheApi() {
    Raw evil = Raw.send(server.port(), "GET /api/dashboard-config HTTP/1.1\r\nHost: evil.example:" + server.port() + "\r\nConnection: close\r\n\r\n");
    assertThat(evil.status()).isEqualTo(403);
    assertThat(evil.body()).isEqualTo("{\"error\":\"host_not_allowed\",\"message\":\"Host 'evil.example:" + server.port()
        + "' is not served here; add its name to tidemark.serving.allowed-hosts\"}");
    assertThat(Raw.send(server.port(), "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").status())
        .as("the dashboard too").isEqualTo(403);
    for (String host : List.of("localhost", "LOCALHOST:" + server.port(), "127.0.0.1:" + server.port(), "[::1]:" + server.port())) {
      assertThat(Raw.send(server.port(), "GET /api/dashboard-config HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").status())
          .as(host).isEqualTo(200);
    }
    try (ServingServer named = ServingServer.start(TidemarkConfig.of(Map.of(
        ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.PORT.key(), "0",
        ServingOptions.ALLOWED_HOSTS.key(), "tidemark.internal, Dash.Example.com")))) {
      for (String host : List.of("tidemark.internal", "dash.example.com:443")) {
        assertThat(Raw.send(named.port(), "GET /api/dashboard-config HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").status())
            .as(host).isEqualTo(200);
      }
      assertThat(Raw.send(named.port(), "GET /api/dashboard-config HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").status())
          .isEqualTo(403);
    }
  }

  @Test
  void serverLevelErrorsOnTheApiAreJsonNotHtml() {
    String longQuery = "x".repeat(20_000);
    Raw uri = Raw.send(server.port(), "GET /api/top-pages?q=" + longQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(uri.status()).isEqualTo(414);
    assertThat(uri.header("Content-Type")).startsWith("application/json");
    assertThat(uri.body()).isEqualTo("{\"error\":\"uri_too_long\",\"message\":\"The request URI is longer than the server accepts; shorten the query\"}");
    Raw headers = Raw.send(server.port(), "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + longQuery + "\r\nConnection: close\r\n\r\n");
    assertThat(headers.status()).isEqualTo(431);
    assertThat(headers.body()).isEqualTo("{\"error\":\"headers_too_large\",\"message\":\"The request headers are larger than the server accepts\"}");
    assertThat(headers.header("X-Content-Type-Options")).isEqualTo("nosniff");
    Raw bad = Raw.send(server.port(), "GET /api/drift/reports/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.header("Content-Type")).startsWith("application/json");
    assertThat(bad.body()).isEqualTo("{\"error\":\"bad_request\",\"message\":\"Malformed HTTP request\"}");
  }

  /** One request over a plain socket: for a Host header and malformed requests that HttpClient refuses to send. */
  record Raw(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    static Raw send(int port, String request) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        String all;
        try {
          all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException e) {
          throw new java.io.UncheckedIOException("no answer to " + request.substring(0, Math.min(60, request.length())), e);
        }
        int end = all.indexOf("\r\n\r\n");
        String[] head = all.substring(0, end).split("\r\n");
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < head.length; i++) {
          int colon = head[i].indexOf(':');
          headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
        }
        return new Raw(Integer.parseInt(head[0].split(" ")[1]), headers, all.substring(end + 4));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void adminEndpointNeedsTheBearerToken() {
    Http.Response none = Http.post(server.url() + "/api/admin/cache/clear", "");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().get("message").asText())
        .isEqualTo("Admin endpoints need 'Authorization: Bearer <tidemark.serving.admin-token>'");
    assertThat(Http.get(server.url() + "/api/admin/cache/clear").status()).as("GET is not an admin route").isEqualTo(404);
    assertThat(Http.post(server.url() + "/api/admin/cache/clear", "", "Authorization", "Bearer wrong").status()).isEqualTo(401);
    Http.Response ok = Http.post(server.url() + "/api/admin/cache/clear", "", "Authorization", "Bearer 0123456789abcdef-test");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().has("cleared_entries")).isTrue();
  }

  @Test
  void unknownApiPathIs404WithJson() {
    Http.Response r = Http.get(server.url() + "/api/nope");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("message").asText()).isEqualTo("No API route GET /api/nope (see /openapi.json)");
  }

  @Test
  void servesTheDashboardAndPrometheusMetrics() {
    Http.Response page = Http.get(server.url() + "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Tidemark</title>", "live-chart", "drift-view");
    assertThat(Http.get(server.url() + "/dashboard.js").status()).isEqualTo(200);
    JsonNode config = Http.get(server.url() + "/api/dashboard-config").json();
    assertThat(config.toString())
        .isEqualTo("{\"max_limit\":1000,\"max_range_minutes\":1440,\"refresh_interval_ms\":3000,\"stale_after_seconds\":120}");
    String metrics = Http.get(server.url() + "/metrics").body();
    assertThat(metrics).contains(
        "tidemark_serving_http_requests_seconds_count{method=\"GET\",route=\"/api/dashboard-config\",status=\"200\"}");
  }

  @Test
  void refusesAnInvalidOptionAtStartNamingTheKey() {
    assertThatThrownBy(() -> ServingServer.start(TidemarkConfig.of(Map.of(
            ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.MAX_LIMIT.key(), "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '0' for tidemark.serving.max-limit (TIDEMARK_SERVING_MAX_LIMIT): expected between 1 and 100000");
    assertThatThrownBy(() -> ServingServer.start(TidemarkConfig.of(Map.of(
            ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.ADMIN_TOKEN.key(), "short"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tidemark.serving.admin-token (TIDEMARK_SERVING_ADMIN_TOKEN) must be at least 16 characters when set");
    for (String blank : List.of("", "   ")) {
      assertThatThrownBy(() -> ServingServer.start(TidemarkConfig.of(Map.of(
              ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.ADMIN_TOKEN.key(), blank))))
          .as("admin token '%s'", blank)
          .isInstanceOf(ConfigException.class)
          .hasMessage("tidemark.serving.admin-token (TIDEMARK_SERVING_ADMIN_TOKEN) is set but blank: give a token of at least 16"
              + " characters, or remove the key to disable the admin endpoints");
    }
    assertThatThrownBy(() -> ServingServer.start(TidemarkConfig.of(Map.of(
            ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.ALLOWED_HOSTS.key(), "evil.example:80"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 'evil.example:80' for tidemark.serving.allowed-hosts (TIDEMARK_SERVING_ALLOWED_HOSTS): expected"
            + " host names or addresses without port, comma-separated ([::1] for IPv6), or *; 'evil.example:80' is not one");
  }

  @Test
  void aTakenPortIsAConfigErrorNamingTheKey() {
    assertThatThrownBy(() -> ServingServer.start(TidemarkConfig.of(Map.of(
            ClickHouseOptions.URL.key(), "http://127.0.0.1:1", ServingOptions.PORT.key(), Integer.toString(server.port())))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot serve on 127.0.0.1:" + server.port() + ": the port is in use by another process"
            + " (set tidemark.serving.port / TIDEMARK_SERVING_PORT, or --port)");
  }

  @Test
  void everyServingMetricTheOpsDashboardsAndAlertsUseIsExported() throws Exception {
    Http.get(server.url() + "/api/freshness"); // one ClickHouse error, so the error counter exists
    String metrics = Http.get(server.url() + "/metrics").body();
    java.util.Set<String> exported = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(tidemark_serving_[a-z_]+)").matcher(metrics);
    while (m.find()) {
      exported.add(m.group(1));
    }
    java.nio.file.Path ops = java.nio.file.Path.of("..", "ops");
    List<java.nio.file.Path> files;
    try (var walk = java.nio.file.Files.walk(ops)) {
      files = walk.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".yml")).toList();
    }
    assertThat(files).isNotEmpty();
    java.util.Set<String> used = new java.util.TreeSet<>();
    for (java.nio.file.Path f : files) {
      String text = java.nio.file.Files.readString(f);
      if (f.toString().endsWith(".json")) {
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(text).get("panels")).as("%s has panels", f).isNotEmpty();
      }
      java.util.regex.Matcher u = java.util.regex.Pattern.compile("tidemark_serving_[a-z_]+").matcher(text);
      while (u.find()) {
        used.add(u.group());
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(exported).containsAll(used);
  }
}
