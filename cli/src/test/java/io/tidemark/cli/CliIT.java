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
    TidemarkConfig c = TestServices.get(Service.KAFKA, Service.CLICKHOUSE, Service.SCHEMA_REGISTRY).config();
    endpointArgs = new ArrayList<>();
    c.explicitValues().forEach((k, v) -> {
      if (k.startsWith("tidemark.kafka.") || k.startsWith("tidemark.clickhouse.") || k.startsWith("tidemark.schema-registry.")
          || k.equals("tidemark.stack.home")) {
        endpointArgs.add("-D");
        endpointArgs.add(k + "=" + v);
      }
    });
  }

  private static String run(String... args) {
    Run r = runWithCode(args);
    assertThat(r.code()).as("exit code; stderr: " + r.err()).isZero();
    return r.out();
  }

  private record Run(int code, String out, String err) {}

  private static Run runWithCode(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(endpointArgs);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = TidemarkCli.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void migrateTwiceThenProduceWritesTheGroundTruthItReports(@TempDir Path dir) throws Exception {
    run("migrate", "--json");
    JsonNode second = JSON.readTree(run("migrate", "--json"));
    assertThat(second.get("changed").asBoolean()).isFalse();
    assertThat(second.get("kafka").get("topics")).hasSize(3);
    JsonNode registry = second.get("schemaRegistry");
    assertThat(registry.get("subject").asText()).isEqualTo("pageview_events-value");
    assertThat(registry.get("compatibility").asText()).isEqualTo("BACKWARD");
    assertThat(registry.get("compatibilityChanged").asBoolean()).isFalse();
    assertThat(registry.get("schemas")).hasSize(1);
    assertThat(registry.get("schemas").get(0).get("status").asText()).isEqualTo("ALREADY_REGISTERED");
    assertThat(registry.get("schemas").get(0).get("subjectVersion").asInt()).isEqualTo(1);

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

  @Test
  void schemaCheckAndListAgainstTheRegistryMigrateFilled(@TempDir Path dir) throws Exception {
    run("migrate");
    String url = TestServices.get(Service.SCHEMA_REGISTRY).schemaRegistryUrl();
    int id = io.tidemark.core.registry.SchemaRegistryClient.builder().url(url).build().version("pageview_events-value", 1).id();

    Path referrer = java.nio.file.Files.writeString(dir.resolve("referrer.avsc"), """
        {"type": "record", "name": "PageView", "fields": [
          {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
          {"name": "page_url", "type": "string"},
          {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
          {"name": "referrer", "type": ["null", "string"], "default": null}]}
        """);
    Run ok = runWithCode("schema", "check", referrer.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("compatible: accepted as version 2 of pageview_events-value under BACKWARD,"
        + " and Tidemark's reader schema reads its records\n");

    Path noPageUrl = java.nio.file.Files.writeString(dir.resolve("no-page-url.avsc"), """
        {"type": "record", "name": "PageView", "fields": [
          {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
          {"name": "timestamp", "type": "long"}]}
        """);
    Run dropped = runWithCode("schema", "check", noPageUrl.toString());
    assertThat(dropped.code()).isEqualTo(1);
    assertThat(dropped.out()).isEqualTo("incompatible: Tidemark's reader schema cannot read its records:"
        + " field page_url is missing and has no default at /fields/2\n");

    Path stringTs = java.nio.file.Files.writeString(dir.resolve("string-ts.avsc"), """
        {"type": "record", "name": "PageView", "fields": [
          {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
          {"name": "page_url", "type": "string"}, {"name": "timestamp", "type": "string"}]}
        """);
    Run typed = runWithCode("schema", "check", "--json", stringTs.toString());
    assertThat(typed.code()).isEqualTo(1);
    JsonNode verdict = JSON.readTree(typed.out());
    assertThat(verdict.get("compatible").asBoolean()).isFalse();
    assertThat(verdict.get("registryCompatible").asBoolean()).isFalse();
    assertThat(verdict.get("readerCompatible").asBoolean()).isFalse();
    assertThat(verdict.get("latestVersion").asInt()).isEqualTo(1);
    assertThat(verdict.get("reason").asText()).startsWith("the registry refuses it as version 2 of pageview_events-value under BACKWARD:"
        + " it cannot read records of version 1: reader type: STRING not compatible with writer type: LONG at /fields/3/type");

    String list = run("schema", "list");
    assertThat(list.lines().map(l -> List.of(l.split("\\s+"))).toList()).containsExactly(
        List.of("Schema", "registry", url),
        List.of("SUBJECT", "VERSION", "ID", "COMPATIBILITY"),
        List.of("pageview_events-value", "1", Integer.toString(id), "BACKWARD"));
    JsonNode listed = JSON.readTree(run("schema", "list", "--json"));
    assertThat(listed.get("subjects")).hasSize(1);
    assertThat(listed.get("subjects").get(0).get("versions").get(0).get("id").asInt()).isEqualTo(id);
    assertThat(listed.get("subjects").get(0).get("versions").get(0).get("version").asInt()).isEqualTo(1);
  }
}
