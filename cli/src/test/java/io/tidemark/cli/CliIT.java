package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.generator.GroundTruth;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The user's commands end to end against real services: migrate and produce through the CLI. */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<String> endpointArgs;

  @BeforeAll
  static void services() {
    TidemarkConfig c = TestServices.get(Service.KAFKA, Service.CLICKHOUSE).config();
    endpointArgs = new ArrayList<>();
    c.explicitValues().forEach((k, v) -> {
      if (k.startsWith("tidemark.kafka.") || k.startsWith("tidemark.clickhouse.") || k.equals("tidemark.stack.home")) {
        endpointArgs.add("-D");
        endpointArgs.add(k + "=" + v);
      }
    });
  }

  private static String run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(endpointArgs);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = TidemarkCli.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(all.toArray(String[]::new));
    assertThat(code).as("exit code; stderr: " + err).isZero();
    return out.toString();
  }

  @Test
  void migrateTwiceThenProduceWritesTheGroundTruthItReports(@TempDir Path dir) throws Exception {
    run("migrate", "--json");
    JsonNode second = JSON.readTree(run("migrate", "--json"));
    assertThat(second.get("changed").asBoolean()).isFalse();
    assertThat(second.get("kafka").get("topics")).hasSize(3);

    Path truthFile = dir.resolve("truth.json");
    JsonNode summary = JSON.readTree(run("produce", "--json", "--rate", "2000", "--duration", "2s",
        "--users", "10", "--pages", "5", "--seed", "9", "--invalid-fraction", "0.05",
        "--duplicate-fraction", "0.05", "--truth-out", truthFile.toString()));
    assertThat(summary.get("produced").asLong()).isEqualTo(4_000);
    GroundTruth truth = GroundTruth.read(truthFile);
    assertThat(summary.get("invalid").asLong()).isEqualTo(truth.invalid()).isPositive();
    assertThat(summary.get("duplicates").asLong()).isEqualTo(truth.duplicates()).isPositive();
    assertThat(summary.get("valid_distinct").asLong())
        .isEqualTo(truth.counts(CountMetric.USER).values().stream().mapToLong(Long::longValue).sum());
    assertThat(summary.get("achieved_rate_per_s").asLong()).isPositive();
  }
}
