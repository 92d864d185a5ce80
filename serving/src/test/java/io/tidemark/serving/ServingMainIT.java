package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tidemark serve} as the CLI starts it: a child JVM on serving/target/classpath.txt with
 * {@code TIDEMARK_CONFIG} pointing at a properties file that also holds other components' keys.
 */
class ServingMainIT {
  private static final Pattern URL = Pattern.compile("Tidemark dashboard: (http://[0-9.]+:[0-9]+)/");

  @Test
  void startsFromTheClasspathFileWithTidemarkConfigAndStopsOnSigterm() throws Exception {
    try (StoreFixture store = new StoreFixture("serving_main")) {
      Path target = Path.of("target").toAbsolutePath();
      Path props = target.resolve("serving-main-it.properties");
      Properties p = new Properties();
      p.setProperty(ClickHouseOptions.URL.key(), store.config.get(ClickHouseOptions.URL));
      p.setProperty(ClickHouseOptions.DATABASE.key(), store.writer.database());
      p.setProperty(ServingOptions.PORT.key(), "0");
      p.setProperty("tidemark.speed.parallelism", "2"); // another process's key: left to it
      try (var out = Files.newOutputStream(props)) {
        p.store(out, null);
      }
      String classpath = Files.readString(target.resolve("classpath.txt")).trim() + java.io.File.pathSeparator + target.resolve("classes");
      ProcessBuilder pb = new ProcessBuilder(
          List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, ServingMain.class.getName()));
      pb.environment().put("TIDEMARK_CONFIG", props.toString());
      pb.redirectErrorStream(true);
      Process process = pb.start();
      try {
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = r.readLine()) != null) {
              seen.append(line).append('\n');
              Matcher m = URL.matcher(line);
              if (m.find()) {
                return m.group(1);
              }
            }
            throw new IllegalStateException("serve exited without printing its URL:\n" + seen);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        String base = url.get(60, TimeUnit.SECONDS);
        Http.Response fresh = Http.get(base + "/api/freshness");
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
        assertThat(fresh.json().get("stale").asBoolean()).isTrue();
        assertThat(Http.get(base + "/").body()).contains("<title>Tidemark</title>");
        process.destroy(); // SIGTERM: the shutdown hook stops the server
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();
      } finally {
        process.destroyForcibly();
      }
    }
  }
}
