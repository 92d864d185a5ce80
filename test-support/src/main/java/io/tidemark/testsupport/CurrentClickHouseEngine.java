package io.tidemark.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A current ClickHouse engine (chdb-core, embedded in a Python process of the project venv that
 * {@code scripts/ensure-chdb.sh} maintains) for tests of SQL that must work beyond the 18.16
 * server every other test uses, because users run current ClickHouse.
 *
 * <p>Statements reach Python as JSON on stdin, never through a shell; each {@link #run} is one
 * chdb session over its own data folder, running every step even after a failure so that a test
 * reports all failing statements at once.
 */
public final class CurrentClickHouseEngine {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String python;

  private CurrentClickHouseEngine(String python) {
    this.python = python;
  }

  /** Installs chdb into the project venv if missing (idempotent; minutes the first time). */
  public static CurrentClickHouseEngine ensure() {
    Path home = tidemarkHome();
    try {
      Path log = Files.createTempFile("ensure-chdb", ".log");
      Process p = new ProcessBuilder("bash", home.resolve("scripts/ensure-chdb.sh").toString())
          .redirectError(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("scripts/ensure-chdb.sh failed:\n" + Files.readString(log));
      }
      return new CurrentClickHouseEngine(out.lines().reduce((a, b) -> b).orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while installing chdb", e);
    }
  }

  /**
   * Runs {@code steps} in order in one session over {@code data}.
   *
   * @return {@code {"engine": version, "results": [{"ok": true, "output": TabSeparated} |
   *     {"ok": false, "error": text}, ...]}}
   */
  public JsonNode run(Path data, List<String> steps) throws IOException, InterruptedException {
    Path script = data.resolve("run_sql.py");
    try (InputStream in = CurrentClickHouseEngine.class.getResourceAsStream("/chdb/run_sql.py")) {
      Files.copy(in, script);
    }
    Path session = Files.createDirectories(data.resolve("session"));
    Path stderr = data.resolve("stderr.txt");
    Process p = new ProcessBuilder(python, script.toString(), session.toString())
        .redirectError(stderr.toFile())
        .start();
    try (var stdin = p.getOutputStream()) {
      stdin.write(JSON.writeValueAsBytes(Map.of("steps", steps)));
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("chdb runner did not finish within 5 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("chdb runner failed (exit " + p.exitValue() + "):\n" + Files.readString(stderr));
    }
    return JSON.readTree(out);
  }

  private static Path tidemarkHome() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/ensure-chdb.sh"))) {
        return p;
      }
    }
    throw new IllegalStateException("No scripts/ensure-chdb.sh above " + Path.of("").toAbsolutePath());
  }
}
