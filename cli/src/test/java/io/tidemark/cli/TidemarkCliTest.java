package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class TidemarkCliTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = TidemarkCli.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommand() {
    Run r = run("--help");
    assertThat(r.exitCode()).isZero();
    for (String command : List.of("stack", "migrate", "schema", "produce", "demo", "speed", "lake", "config", "bench", "batch", "reconcile", "backfill", "drift", "days", "serve", "schedule", "build", "test")) {
      assertThat(r.out()).contains("  " + command + " ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"stack", "stack up", "stack down", "stack status", "migrate", "schema", "schema check", "schema list", "produce", "demo", "config", "bench", "bench produce"})
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").split(" ");
    Run r = run(args);
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("Usage: tidemark " + command);
  }

  @Test
  void schemaCheckOfAMissingOrBrokenFileIsAUsageError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path missing = dir.resolve("missing.avsc");
    Run r = run("schema", "check", missing.toString(), "-D", "tidemark.schema-registry.url=http://127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("tidemark: Schema file " + missing + " does not exist");

    java.nio.file.Path broken = java.nio.file.Files.writeString(dir.resolve("broken.avsc"), "{\"type\": \"record\", \"name\": \"PageView\"}");
    r = run("schema", "check", broken.toString(), "-D", "tidemark.schema-registry.url=http://127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("tidemark: Schema file " + broken + " is not a valid Avro schema: Record has no fields: {\"type\":\"record\",\"name\":\"PageView\"}");
    assertThat(r.err().lines()).hasSize(1);

    java.nio.file.Path truncated = java.nio.file.Files.writeString(dir.resolve("truncated.avsc"), "{\"type\":");
    r = run("schema", "check", truncated.toString(), "-D", "tidemark.schema-registry.url=http://127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("tidemark: Schema file " + truncated + " is not a valid Avro schema: Unexpected end-of-input");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void badArgumentIsOneLineNamingTheFix() {
    Run r = run("produce", "--rate", "fast");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines()).containsExactly(
        "tidemark: Invalid value for option '--rate': 'fast' is not a double",
        "Run './tidemark produce --help' for usage.");
  }

  @Test
  void invalidGeneratorSpecIsOneLine() {
    Run r = run("produce", "--late-fraction", "2", "-D", "tidemark.kafka.bootstrap=localhost:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("tidemark: late-fraction must be between 0 and 1, got 2.0");
  }

  @Test
  void unknownProduceFormatIsOneLine() {
    Run r = run("produce", "--format", "xml", "-D", "tidemark.kafka.bootstrap=localhost:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElseThrow())
        .isEqualTo("tidemark: Invalid value 'xml' for --format: expected json, avro or mixed");
  }

  @Test
  void avroWriterSchemaWithoutAContractFieldIsOneLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path schema = dir.resolve("no-page.avsc");
    Files.writeString(schema, "{\"type\": \"record\", \"name\": \"PageView\", \"fields\": ["
        + "{\"name\": \"event_id\", \"type\": \"string\"}, {\"name\": \"user_id\", \"type\": \"string\"},"
        + "{\"name\": \"timestamp\", \"type\": \"long\"}]}");
    Run r = run("produce", "--format", "avro", "--avro-schema", schema.toString(), "-D", "tidemark.kafka.bootstrap=localhost:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElseThrow())
        .startsWith("tidemark: --avro-schema " + schema + " cannot carry the contract: cannot be read as PageView")
        .contains("page_url");
  }

  @Test
  void unknownConfigurationKeyIsOneLineWithSuggestion() {
    Run r = run("config", "-D", "tidemark.kafka.bootstrp=x:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(
        "tidemark: Unknown configuration key tidemark.kafka.bootstrp (did you mean tidemark.kafka.bootstrap?)");
  }

  @Test
  void configListsAndValidatesTheServingKeysAsServeDoes() throws Exception {
    Run typo = run("config", "-D", "tidemark.serving.prot=9000");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err().strip()).isEqualTo(
        "tidemark: Unknown configuration key tidemark.serving.prot (did you mean tidemark.serving.port?)");
    Run range = run("config", "-D", "tidemark.serving.max-limit=0");
    assertThat(range.exitCode()).isEqualTo(2);
    assertThat(range.err().strip()).isEqualTo("tidemark: Invalid value '0' for tidemark.serving.max-limit"
        + " (TIDEMARK_SERVING_MAX_LIMIT): expected between 1 and 100000");
    Run listed = run("config", "--json", "-D", "tidemark.serving.port=9000");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    java.util.Map<String, String> values = new java.util.TreeMap<>();
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed.out())
        .forEach(row -> values.put(row.get("key").asText(), row.get("value").asText()));
    assertThat(values).containsEntry("tidemark.serving.port", "9000").containsEntry("tidemark.serving.breaker-failures", "3")
        .containsKey("tidemark.serving.allowed-hosts").containsKey("tidemark.kafka.bootstrap");
  }

  @Test
  void badDurationNamesTheFormat() {
    Run r = run("produce", "--duration", "soon");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'soon' is not a duration: use a number and a unit, e.g. 500ms, 60s, 5m, 2h");
  }

  @Test
  void configurationDocIsGeneratedFromTheDeclarations() throws Exception {
    Path doc = Path.of(System.getProperty("tidemark.root", "..")).resolve("docs/configuration.md");
    String generated = ConfigCommand.markdownTable(GlobalOptions.sharedOptions());
    assertThat(Files.readString(doc))
        .as("docs/configuration.md is stale: regenerate with ./tidemark config --markdown")
        .contains(generated);
  }

  @Test
  void benchBatchPassesItsOptionsToTheBenchmark() {
    CommandLine.ParseResult parsed = TidemarkCli.commandLine().parseArgs("bench", "batch", "--events", "1000000", "--help");
    BenchCommand.Batch b = parsed.subcommand().subcommand().commandSpec().commandLine().getCommand();
    assertThat(b.args).containsExactly("--events", "1000000", "--help");
  }

  @Test
  void layerCommandsPassEveryArgumentThrough() {
    CommandLine cmd = TidemarkCli.commandLine();
    CommandLine.ParseResult parsed = cmd.parseArgs(
        "reconcile", "--date", "2026-11-24", "--dry-run", "--json", "--help", "-D", "tidemark.kafka.partitions=2");
    LayerCommands.Reconcile r = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertThat(r.args).containsExactly("--date", "2026-11-24", "--dry-run", "--json", "--help");
    assertThat(r.global.overrides).containsEntry("tidemark.kafka.partitions", "2");
    assertThat(r.prefix()).containsExactly("reconcile");
  }

  @Test
  void produceDrawsAFreshSeedUnlessOneIsGiven() {
    // a fixed default seed repeated every event_id in a second run on the same day: the demo's
    // reconcile then "corrected" exact speed counts down to the batch's once-per-day dedup
    assertThat(ProduceCommand.seedOrNew(7L)).isEqualTo(7L);
    assertThat(java.util.stream.LongStream.range(0, 5).map(i -> ProduceCommand.seedOrNew(null)).distinct().count())
        .isEqualTo(5);
  }
}
