package io.tidemark.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ServingOptions;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.CountVersions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code serve}'s restart contract: it keeps no state of its own (every answer comes from
 * ClickHouse), so after {@code kill -9} a plain start on the same port answers every request
 * exactly as before.
 */
class ServingRestartIT {
  private static final List<String> REQUESTS = List.of(
      "/api/counts/user?user_id=u1&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z",
      "/api/counts/page?page_url=%2Fa&from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z",
      "/api/totals?from=2026-11-24T10:00:00Z&to=2026-11-24T10:05:00Z");

  @Test
  void aServerKilledWithSigkillAnswersTheSameAfterAPlainRestart() throws Exception {
    try (StoreFixture store = new StoreFixture("serving_restart")) {
      store.write(CountTable.USER_PAGE_COUNTS, "u1", "2026-11-24T10:00:00Z", 5, CountVersions.speed(1));
      store.write(CountTable.USER_PAGE_COUNTS, "u1", "2026-11-24T10:00:00Z", 8, CountVersions.speed(2));
      store.write(CountTable.USER_PAGE_COUNTS, "u1", "2026-11-24T10:01:00Z", 2, CountVersions.speed(1));
      store.write(CountTable.PAGE_VIEW_COUNTS, "/a", "2026-11-24T10:00:00Z", 10, CountVersions.speed(2));
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path target = Path.of("target").toAbsolutePath();
      Path props = target.resolve("serving-restart-it.properties");
      Properties p = new Properties();
      p.setProperty(ClickHouseOptions.URL.key(), store.config.get(ClickHouseOptions.URL));
      p.setProperty(ClickHouseOptions.DATABASE.key(), store.writer.database());
      p.setProperty(ServingOptions.PORT.key(), Integer.toString(port));
      try (var out = Files.newOutputStream(props)) {
        p.store(out, null);
      }
      String base = "http://127.0.0.1:" + port;
      Process first = serve(target, props);
      Map<String, String> before;
      try {
        before = answers(base);
        assertThat(Http.get(base + REQUESTS.get(0)).json().get("total").asLong()).isEqualTo(10);
        assertThat(Http.get(base + REQUESTS.get(1)).json().get("total").asLong()).isEqualTo(10);
      } finally {
        first.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      long t0 = System.nanoTime();
      Process second = serve(target, props);
      try {
        Map<String, String> after = answers(base);
        System.out.printf("[ServingRestartIT] %d answers identical after kill -9, ready again in %d ms%n",
            after.size(), (System.nanoTime() - t0) / 1_000_000);
        assertThat(after).isEqualTo(before);
      } finally {
        second.destroy();
        if (!second.waitFor(30, TimeUnit.SECONDS)) {
          second.destroyForcibly();
        }
        Files.deleteIfExists(props);
      }
    }
  }

  private static Process serve(Path target, Path props) throws Exception {
    String classpath = Files.readString(target.resolve("classpath.txt")).trim() + java.io.File.pathSeparator + target.resolve("classes");
    ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, ServingMain.class.getName()));
    pb.environment().put("TIDEMARK_CONFIG", props.toString());
    return pb.redirectErrorStream(true).redirectOutput(target.resolve("serving-restart-it.out").toFile()).start();
  }

  /** Every request's status and body, once the server answers. */
  private static Map<String, String> answers(String base) {
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> Http.get(base + REQUESTS.get(0)).status() == 200);
    Map<String, String> out = new LinkedHashMap<>();
    for (String r : REQUESTS) {
      Http.Response a = Http.get(base + r);
      out.put(r, a.status() + " " + a.body());
    }
    return out;
  }
}
