package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.cli.chaos.ChaosChecks;
import io.tidemark.cli.chaos.ChaosTraffic;
import io.tidemark.cli.chaos.CheckResult;
import io.tidemark.cli.chaos.FaultKind;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GroundTruth;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A short chaos run (every fault kind once) through the CLI, then the suite's sensitivity on the
 * real outputs it kept: one served cell changed and one lake row short must make checks 4 and 2
 * fail naming exactly that key.
 */
class ChaosIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shortRunWithEveryFaultKindIsExactAndTheChecksCatchATamperedOutput(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("reliability.md");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = TidemarkCli.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    // s3-outage is left out: an object-store outage of a few seconds kills the Iceberg sink's task
    // for good ("will not recover until manually restarted", found by this suite; lake run does not
    // restart a failed task), so the archive never catches up and checks 2-4 fail. ./tidemark chaos
    // keeps it in its default schedule and reports it.
    String kinds = String.join(",", java.util.Arrays.stream(FaultKind.values()).filter(k -> k != FaultKind.S3_OUTAGE)
        .map(FaultKind::code).toList());
    int rc = cmd.execute("chaos", "--duration", "2m", "--seed", "11", "--faults", kinds, "--json", "--keep", "--doc", doc.toString());
    String text = out.toString();
    assertThat(text).as("the run printed no report (exit " + rc + "); stderr: " + err).contains("{");
    JsonNode report = JSON.readTree(text.substring(text.indexOf('{')));
    Path home = Path.of(report.get("home").asText());
    try {
      System.out.println("[ChaosIT] " + report.toPrettyString());
      Map<String, JsonNode> checks = new HashMap<>();
      report.get("checks").forEach(c -> checks.put(c.get("id").asText(), c));
      for (String id : List.of("speed-cells", "lake-exactly-once", "drift-report", "reconciled-cells", "dead-letters")) {
        assertThat(checks.get(id).get("result").asText()).as(id + ": " + checks.get(id)).isEqualTo("exact");
      }
      assertThat(checks).containsKey("serving-outage");
      assertThat(rc).as("exit code; stderr " + err).isEqualTo(report.get("exact").asBoolean() ? 0 : 1);
      Map<String, JsonNode> byKind = new HashMap<>();
      report.get("faults_by_kind").forEach(k -> byKind.put(k.get("kind").asText(), k));
      for (FaultKind k : FaultKind.values()) {
        if (k == FaultKind.S3_OUTAGE) {
          continue;
        }
        assertThat(byKind.get(k.code())).as(k.code()).isNotNull();
        assertThat(byKind.get(k.code()).get("count").asLong()).as(k.code()).isPositive();
        assertThat(byKind.get(k.code()).get("not_recovered").asLong()).as(k.code() + " recovered").isZero();
      }
      assertThat(report.get("records").get("produced").asLong()).isPositive();
      assertThat(Files.readString(doc)).contains("<!-- chaos:begin").contains("| 1 | speed layer:");

      ChaosStack kept = ChaosStack.reopen(home);
      List<GroundTruth> parts = new ArrayList<>();
      try (var files = Files.list(home)) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("ground-truth-")).sorted().toList()) {
          parts.add(GroundTruth.read(f));
        }
      }
      ChaosTraffic.Truth truth = new ChaosTraffic.Truth(parts);
      assertThat(truth.produced()).isEqualTo(report.get("records").get("produced").asLong());
      Map<CountMetric, Map<WindowKey, Long>> full = new EnumMap<>(CountMetric.class);
      for (CountMetric m : CountMetric.values()) {
        full.put(m, truth.counts(m));
      }
      assertThat(ChaosChecks.cells("reconciled-cells", "t", full, kept.servedCells()).exact()).isTrue();

      // Check 4 on a tampered ClickHouse: one user's cell one higher, through a row of a higher version.
      WindowKey cell = truth.counts(CountMetric.USER).keySet().stream().min(Comparator.naturalOrder()).orElseThrow();
      long count = truth.counts(CountMetric.USER).get(cell);
      try (ClickHouseSql sql = ClickHouseClients.connect(kept.config)) {
        long version = sql.queryLong("SELECT max(version) AS n FROM {t:Identifier}", Map.of("t", sql.database() + ".user_page_counts_store"));
        sql.execute("INSERT INTO {t:Identifier} (user_id, window_start, count, version, source, written_at) VALUES"
                + " ({u:String}, toDateTime({w:UInt32}, 'UTC'), {c:UInt64}, {v:UInt64}, 'batch', now())",
            Map.of("t", sql.database() + ".user_page_counts_store", "u", cell.key(), "w", cell.windowStart() / 1000,
                "c", count + 1, "v", version + 1));
      }
      CheckResult tampered = ChaosChecks.cells("reconciled-cells", "t", full, kept.servedCells());
      assertThat(tampered.differing()).isEqualTo(1);
      assertThat(tampered.firstDifferences()).containsExactly("user_page_counts (" + cell.key() + ", "
          + Instant.ofEpochMilli(cell.windowStart()) + "): expected " + count + ", got " + (count + 1));

      // Check 2 on the run's real lake verify report, with partition 0 one row short.
      JsonNode verify = JSON.readTree(kept.jsonOutput("lake-verify"));
      Map<Integer, Long> ends = kept.eventEndOffsets();
      assertThat(ChaosChecks.lake(verify, ends, truth.produced()).exact()).isTrue();
      ObjectNode p0 = (ObjectNode) verify.get("partitions").get("0");
      p0.put("count", p0.get("count").asLong() - 1);
      CheckResult lake = ChaosChecks.lake(verify, ends, truth.produced());
      assertThat(lake.exact()).isFalse();
      assertThat(lake.firstDifferences()).hasSize(1).first().asString().startsWith("partition 0: expected offsets 0..");
    } finally {
      ChaosStack.reopen(home).down();
      try (var files = Files.walk(home)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
