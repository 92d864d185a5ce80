package io.tidemark.speed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads job metrics from a Flink REST endpoint (MiniCluster web UI or a session cluster). */
final class FlinkRest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final String base;

  FlinkRest(int port) {
    this.base = "http://localhost:" + port;
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " -> HTTP " + r.statusCode() + ": " + r.body());
    }
    return json.readTree(r.body());
  }

  List<String> vertices(String jobId) throws Exception {
    List<String> ids = new ArrayList<>();
    get("/jobs/" + jobId).path("vertices").forEach(v -> ids.add(v.path("id").asText()));
    return ids;
  }

  /** Sum over subtasks and vertices of every metric whose id ends with {@code suffix}; max when {@code max}. */
  double metric(String jobId, String suffix, boolean max) throws Exception {
    double result = 0;
    for (String v : vertices(jobId)) {
      List<String> ids = new ArrayList<>();
      get("/jobs/" + jobId + "/vertices/" + v + "/subtasks/metrics").forEach(m -> {
        String id = m.path("id").asText();
        if (id.endsWith(suffix)) {
          ids.add(id);
        }
      });
      if (ids.isEmpty()) {
        continue;
      }
      String agg = max ? "max" : "sum";
      for (JsonNode m : get("/jobs/" + jobId + "/vertices/" + v + "/subtasks/metrics?agg=" + agg + "&get="
          + String.join(",", ids))) {
        double value = m.path(agg).asDouble();
        result = max ? Math.max(result, value) : result + value;
      }
    }
    return result;
  }
}
