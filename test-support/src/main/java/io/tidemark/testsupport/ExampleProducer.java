package io.tidemark.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The repository's example Python producer ({@code examples/python-producer/producer.py}:
 * confluent-kafka's Producer with the Schema Registry's AvroSerializer), run exactly as a user
 * runs it, from the project venv that {@code scripts/ensure-python-producer.sh} maintains.
 *
 * <pre>{@code
 * ExampleProducer.Result r = ExampleProducer.ensure()
 *     .send(services.kafkaBootstrap(), services.schemaRegistryUrl(), "pageview_events", eventsJsonl);
 * int schemaId = r.schemaId(); // the id every record carries in bytes 1-4
 * }</pre>
 *
 * <p>The events file holds one seed-format JSON event per line (e.g. the generator's record
 * values), sent in file order with key = user_id, so a test's ground truth stays exact.
 */
public final class ExampleProducer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final String python;

  private ExampleProducer(Path home, String python) {
    this.home = home;
    this.python = python;
  }

  /** Installs the producer's pinned dependencies into the project venv if missing (idempotent). */
  public static ExampleProducer ensure() {
    Path home = projectHome();
    try {
      Path log = Files.createTempFile("ensure-python-producer", ".log");
      Process p = new ProcessBuilder("bash", home.resolve("scripts/ensure-python-producer.sh").toString())
          .redirectError(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("scripts/ensure-python-producer.sh failed:\n" + Files.readString(log));
      }
      return new ExampleProducer(home, out.lines().reduce((a, b) -> b).orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while installing the example producer's dependencies", e);
    }
  }

  /** What one run printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** The summary line's field, e.g. {@code produced}; fails when the run did not succeed. */
    public JsonNode summary() {
      if (exitCode != 0) {
        throw new IllegalStateException("The example producer exited with " + exitCode + ": " + stderr.strip());
      }
      try {
        return JSON.readTree(stdout.strip().lines().reduce((a, b) -> b).orElse("{}"));
      } catch (IOException e) {
        throw new IllegalStateException("The example producer printed no JSON summary: " + stdout, e);
      }
    }

    public long produced() {
      return summary().get("produced").asLong();
    }

    public int schemaId() {
      return summary().get("schema_id").asInt();
    }
  }

  /** Sends every event of {@code eventsJsonl} to {@code topic}, Avro-encoded through the registry. */
  public Result send(String bootstrap, String registryUrl, String topic, Path eventsJsonl) {
    return run(List.of("--bootstrap", bootstrap, "--registry", registryUrl, "--topic", topic, "--events", eventsJsonl.toString()));
  }

  /** Runs the producer with any arguments ({@code --count}, {@code --seed}, ...). */
  public Result run(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(python, home.resolve("examples/python-producer/producer.py").toString()));
    cmd.addAll(args);
    try {
      Path err = Files.createTempFile("example-producer", ".err");
      Process p = new ProcessBuilder(cmd)
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("The example producer did not finish within 5 minutes");
      }
      String stderr = Files.readString(err);
      Files.deleteIfExists(err);
      return new Result(p.exitValue(), out, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running the example producer", e);
    }
  }

  private static Path projectHome() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("examples/python-producer/producer.py"))) {
        return p;
      }
    }
    throw new IllegalStateException("No examples/python-producer/producer.py above " + Path.of("").toAbsolutePath());
  }
}
