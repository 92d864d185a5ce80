package io.tidemark.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A small client of the Confluent Schema Registry REST API, the one every registry Tidemark meets
 * speaks (Confluent's, Karapace, Redpanda, Apicurio's {@code /apis/ccompat/v7}); Confluent's own
 * client is not on Maven Central. Only what Tidemark needs: schemas by id for decoding, register
 * and look up for {@code migrate}, compatibility for {@code schema check}, subjects and versions
 * for {@code schema list}.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = SchemaRegistryClient.builder()
 *     .url("http://127.0.0.1:18081/apis/ccompat/v7")
 *     .requestTimeout(Duration.ofSeconds(10))
 *     .build();                                   // or SchemaRegistryClient.fromConfig(cfg)
 * String writerSchema = registry.schemaById(7);
 * }</pre>
 *
 * <p>No caching and no retries: each call is one HTTP request, bounded by the request timeout.
 * Failures are {@link SchemaRegistryException}s whose {@link SchemaRegistryException#isRetryable()}
 * says whether to wait and ask again; callers that decode records cache by id themselves (a schema
 * id never changes meaning). Thread-safe.
 */
public final class SchemaRegistryClient {
  /** The Confluent API's content type. */
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  /** The compatibility levels of the Confluent API. */
  public static final Set<String> LEVELS =
      Set.of("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final Duration timeout;
  private final HttpClient http;

  private SchemaRegistryClient(String baseUrl, Duration timeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** A builder; {@link Builder#url} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client for {@code tidemark.schema-registry.url} with {@code
   * tidemark.schema-registry.request-timeout}.
   *
   * @throws io.tidemark.core.config.ConfigException when the URL is not set
   */
  public static SchemaRegistryClient fromConfig(TidemarkConfig cfg) {
    return builder()
        .url(cfg.require(SchemaRegistryOptions.URL))
        .requestTimeout(cfg.get(SchemaRegistryOptions.REQUEST_TIMEOUT))
        .build();
  }

  /** The base URL requests go to (without a trailing slash). */
  public String url() {
    return baseUrl;
  }

  /**
   * The schema text registered under {@code id} ({@code GET /schemas/ids/{id}}).
   *
   * @throws SchemaRegistryException.NotFound when the registry knows no such id
   * @throws SchemaRegistryException retryable when the registry cannot be reached
   */
  public String schemaById(int id) {
    return send(get("/schemas/ids/" + id), "schema id " + id).path("schema").asText();
  }

  /**
   * Registers {@code schema} (Avro JSON) under {@code subject} and returns its schema id ({@code
   * POST /subjects/{subject}/versions}).
   *
   * <p>Idempotent: registering a schema the subject already holds returns the existing id and
   * adds no version. A request that timed out may or may not have registered the schema; repeating
   * it is safe.
   *
   * @throws SchemaRegistryException.Incompatible when the subject's compatibility level refuses it
   * @throws SchemaRegistryException.Invalid when the registry cannot parse the schema
   */
  public int register(String subject, String schema) {
    return send(post("/subjects/" + encode(subject) + "/versions", schemaBody(schema)), "subject " + subject)
        .path("id").asInt();
  }

  /**
   * The version of {@code subject} that holds {@code schema}, if any ({@code POST
   * /subjects/{subject}}). Changes nothing.
   */
  public Optional<RegisteredSchema> lookup(String subject, String schema) {
    try {
      return Optional.of(registered(send(post("/subjects/" + encode(subject), schemaBody(schema)), "subject " + subject), subject));
    } catch (SchemaRegistryException.NotFound e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code subject}'s compatibility level accepts {@code schema} as its next version,
   * checked against its latest version ({@code POST
   * /compatibility/subjects/{subject}/versions/latest?verbose=true}). A subject with no versions
   * accepts any schema. Changes nothing.
   *
   * @throws SchemaRegistryException.Invalid when the registry cannot parse the schema
   */
  public Compatibility compatibility(String subject, String schema) {
    JsonNode answer;
    try {
      answer = send(post("/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true", schemaBody(schema)),
          "subject " + subject);
    } catch (SchemaRegistryException.NotFound e) {
      return new Compatibility(true, List.of());
    }
    List<String> messages = new ArrayList<>();
    answer.path("messages").forEach(m -> messages.add(m.asText()));
    return new Compatibility(answer.path("is_compatible").asBoolean(false), messages);
  }

  /** The compatibility level that applies to {@code subject}: its own, else the registry's global one. */
  public String compatibilityLevel(String subject) {
    JsonNode answer;
    try {
      answer = send(get("/config/" + encode(subject) + "?defaultToGlobal=true"), "config of " + subject);
    } catch (SchemaRegistryException.NotFound e) {
      answer = send(get("/config"), "global config");
    }
    JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.path("compatibility");
    return level.asText();
  }

  /**
   * Sets {@code subject}'s compatibility level ({@code PUT /config/{subject}}). Idempotent.
   *
   * @throws IllegalArgumentException when {@code level} is not one of {@link #LEVELS}
   */
  public void setCompatibilityLevel(String subject, String level) {
    String upper = level.toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(upper)) {
      throw new IllegalArgumentException("Unknown compatibility level " + level + "; use one of " + String.join(", ", new java.util.TreeSet<>(LEVELS)));
    }
    ObjectNode body = JSON.createObjectNode().put("compatibility", upper);
    send(request("/config/" + encode(subject)).PUT(HttpRequest.BodyPublishers.ofString(body.toString())), "config of " + subject);
  }

  /** Every subject the registry holds ({@code GET /subjects}), in the registry's order. */
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    send(get("/subjects"), "subjects").forEach(s -> out.add(s.asText()));
    return out;
  }

  /**
   * The version numbers of {@code subject} ({@code GET /subjects/{subject}/versions}).
   *
   * @throws SchemaRegistryException.NotFound when the subject does not exist
   */
  public List<Integer> versions(String subject) {
    List<Integer> out = new ArrayList<>();
    send(get("/subjects/" + encode(subject) + "/versions"), "subject " + subject).forEach(v -> out.add(v.asInt()));
    return out;
  }

  /**
   * One version of {@code subject} with its schema id and text ({@code GET
   * /subjects/{subject}/versions/{version}}).
   *
   * @throws SchemaRegistryException.NotFound when the subject or version does not exist
   */
  public RegisteredSchema version(String subject, int version) {
    return registered(send(get("/subjects/" + encode(subject) + "/versions/" + version), "subject " + subject + " version " + version), subject);
  }

  private static RegisteredSchema registered(JsonNode n, String subject) {
    return new RegisteredSchema(n.path("subject").asText(subject), n.path("version").asInt(), n.path("id").asInt(), n.path("schema").asText());
  }

  private static String schemaBody(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(timeout)
        .header("Accept", CONTENT_TYPE + ", application/json")
        .header("Content-Type", CONTENT_TYPE);
  }

  private HttpRequest.Builder get(String path) {
    return request(path).GET();
  }

  private HttpRequest.Builder post(String path, String body) {
    return request(path).POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private JsonNode send(HttpRequest.Builder builder, String what) {
    HttpRequest req = builder.build();
    HttpResponse<String> response;
    try {
      response = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "Schema registry at " + baseUrl + " is unreachable (" + what + "): " + rootMessage(e), 0, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("Interrupted while asking the schema registry at " + baseUrl + " for " + what, 0, true, e);
    }
    int status = response.statusCode();
    String body = response.body();
    if (status / 100 == 2) {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new SchemaRegistryException(
            "Schema registry at " + baseUrl + " answered " + req.method() + " " + req.uri().getPath() + " with non-JSON: " + abbreviate(body), status, false, e);
      }
    }
    String message = "Schema registry at " + baseUrl + " refused " + what + " (HTTP " + status + "): " + errorMessage(body);
    if (status == 404) {
      throw new SchemaRegistryException.NotFound(message);
    }
    if (status == 409) {
      throw new SchemaRegistryException.Incompatible(message);
    }
    if (status == 422) {
      throw new SchemaRegistryException.Invalid(message);
    }
    throw new SchemaRegistryException(message, status, status >= 500 || status == 429 || status == 408, null);
  }

  private static String errorMessage(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("message")) {
        return n.get("message").asText();
      }
    } catch (IOException e) {
      // not JSON: show the text itself
    }
    return abbreviate(body);
  }

  private static String abbreviate(String s) {
    String one = s == null ? "" : s.replaceAll("\\s+", " ").trim();
    return one.length() > 300 ? one.substring(0, 300) + "..." : one;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** Builds a {@link SchemaRegistryClient}; see the class Javadoc for an example. */
  public static final class Builder {
    private String url;
    private Duration requestTimeout = SchemaRegistryOptions.REQUEST_TIMEOUT.defaultValue();

    private Builder() {}

    /** The API's base URL, e.g. {@code http://registry:8081} or Apicurio's {@code .../apis/ccompat/v7}. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** Bound of one request, connecting included (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * @throws IllegalArgumentException "Property url is required but not provided", or when it is
     *     not an http(s) URL
     */
    public SchemaRegistryClient build() {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("Property url is required but not provided");
      }
      URI uri;
      try {
        uri = URI.create(url.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Schema registry URL " + url + " is not a URL: " + e.getMessage(), e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("Schema registry URL " + url + " must be http(s)://host[:port][/path]");
      }
      if (requestTimeout == null || requestTimeout.isZero() || requestTimeout.isNegative()) {
        throw new IllegalArgumentException("Property requestTimeout must be positive, got " + requestTimeout);
      }
      return new SchemaRegistryClient(url.trim(), requestTimeout);
    }
  }
}
