package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.LayerProcess;
import io.tidemark.testsupport.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scrape targets of ops/prometheus serve what ops/grafana's dashboards and the alerting rules
 * query: the real speed layer (Flink's Prometheus reporter on {@code tidemark.speed.metrics-port})
 * and the real lake Connect worker ({@code lake run} with the JMX exporter agent on {@code
 * tidemark.lake.metrics-port}) run on generator traffic, their /metrics are scraped over HTTP, and
 * every metric name in a dashboard or alert expression for those jobs must be among the scraped
 * names. Also checks that each job's target port in prometheus.yml is the component's default.
 *
 * <p>Why a test: Flink and the JMX exporter derive the exported names from scopes, metric groups
 * and rules; a name written by hand in a dashboard is easily one character off and then shows an
 * empty panel, with no error anywhere. Serving's own names are checked by ServingServerTest.
 */
class OpsScrapeTargetsIT {
  private static final Path ROOT = LayerProcess.projectRoot();
  private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private static SpeedLayerChild speed;
  private static LayerProcess lake;
  private static int lakeMetricsPort;
  private static GroundTruth truth;

  @BeforeAll
  static void start() throws Exception {
    speed = SpeedLayerChild.start("ops_scrape");
    TidemarkConfig services = TestServices.get(Service.KAFKA, Service.CLICKHOUSE, Service.S3, Service.CATALOG).config();
    String id = "ops-scrape-" + UUID.randomUUID().toString().substring(0, 6);
    lakeMetricsPort = LayerProcess.freePort();
    // The lake archives the speed layer's events topic; tidemark.lake.* keys are spelled out
    // because LakeArchiveOptions lives on the lake's classpath (LakeMain validates them).
    Map<String, String> lakeConfig = new TreeMap<>(services.explicitValues());
    lakeConfig.put(KafkaOptions.EVENTS_TOPIC.key(), speed.config.get(KafkaOptions.EVENTS_TOPIC));
    lakeConfig.put("tidemark.lake.connector-name", id);
    lakeConfig.put("tidemark.lake.control-topic", id.replace('-', '_') + "_control");
    lakeConfig.put("tidemark.lake.table", id.replace('-', '_'));
    lakeConfig.put("tidemark.lake.commit-interval", "2s");
    lakeConfig.put("tidemark.lake.consumer-session-timeout", "6s");
    lakeConfig.put("tidemark.lake.transaction-timeout", "10s");
    lakeConfig.put("tidemark.lake.worker-heap", "384m");
    lakeConfig.put("tidemark.lake.rest-port", String.valueOf(LayerProcess.freePort()));
    lakeConfig.put("tidemark.lake.metrics-port", String.valueOf(lakeMetricsPort));
    lake = LayerProcess.builder("lake", "io.tidemark.lake.LakeMain")
        .config(TidemarkConfig.of(lakeConfig))
        .jvmArg("-Xmx256m")
        .jvmArg("--add-opens=java.base/java.nio=ALL-UNNAMED")
        .jvmArg("-Daws.requestChecksumCalculation=when_required")
        .jvmArg("-Daws.responseChecksumValidation=when_required")
        .arg("run")
        .log(speed.process().log().resolveSibling("lake-run.log"))
        .start();

    speed.awaitRunning(Duration.ofSeconds(150));
    // Every kind of record, so each counter has moved: invalid, duplicate and too-late ones.
    GeneratorSpec spec = GeneratorSpec.builder()
        .rate(200).duration(Duration.ofSeconds(20)).users(20).pages(5).seed(11)
        .startTime(Instant.now()).outOfOrderMs(2_000)
        .lateFraction(0.02).lateBy(Duration.ofMinutes(10)).duplicateFraction(0.03).invalidFraction(0.03)
        .build();
    truth = TrafficGenerator.builder().config(speed.config).spec(spec).build().run(null);
  }

  @AfterAll
  static void stop() {
    try {
      if (lake != null) {
        lake.close();
      }
    } finally {
      if (speed != null) {
        speed.close();
      }
    }
  }

  @Test
  void speedLayerEndpointServesEveryFlinkMetricTheDashboardsAndAlertsUse() throws Exception {
    Set<String> wanted = OpsQueries.queriedMetrics("flink_");
    assertThat(wanted).contains(
        "flink_taskmanager_job_task_operator_deserializer_tidemark_validEvents", "flink_jobmanager_job_lastCheckpointDuration");
    assertServes("speed layer", "http://127.0.0.1:" + speed.metricsPort + "/metrics", wanted, speed.process());
    assertThat(truth.invalid()).isPositive();
  }

  @Test
  void connectWorkerEndpointServesEveryKafkaMetricTheDashboardsAndAlertsUse() throws Exception {
    Set<String> wanted = OpsQueries.queriedMetrics("kafka_");
    assertThat(wanted).contains("kafka_consumer_fetch_manager_records_lag_max");
    assertServes("Connect worker", "http://127.0.0.1:" + lakeMetricsPort + "/metrics", wanted, lake);
  }

  @Test
  void everyQueriedMetricBelongsToAScrapedComponent() throws Exception {
    Set<String> other = new TreeSet<>(OpsQueries.queriedMetrics(""));
    other.removeIf(n -> n.startsWith("flink_") || n.startsWith("kafka_") || n.startsWith("tidemark_serving_"));
    other.remove("up"); // Prometheus's own series for every target (alerts on components down)
    // The one exception: ClickHouse's own endpoint (20.1+), commented out in prometheus.yml
    // because the local stack's ClickHouse 18.16 has none; the panel says so in its legend.
    assertThat(other).containsExactly("ClickHouseProfileEvents_InsertedRows");
  }

  @Test
  void prometheusTargetsAreTheComponentsDefaultPorts() throws Exception {
    Map<String, String> targets = scrapeTargets();
    assertThat(targets).containsEntry("tidemark-speed", "127.0.0.1:" + documentedDefault("docs/speed-layer.md", "tidemark.speed.metrics-port"));
    assertThat(targets).containsEntry("tidemark-connect", "127.0.0.1:" + documentedDefault("docs/lake.md", "tidemark.lake.metrics-port"));
    assertThat(targets).containsEntry("tidemark-serving", "127.0.0.1:" + ServingOptions.PORT.defaultValue());
  }

  /** Scrapes until every wanted name is served (some appear only after the first fetch or checkpoint). */
  private static void assertServes(String what, String url, Set<String> wanted, LayerProcess process) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Set<String> served = Set.of();
    Set<String> missing = wanted;
    while (System.nanoTime() < deadline) {
      process.assertAlive();
      try {
        Http.Response r = Http.get(url);
        if (r.status() == 200) {
          served = metricNames(r.body());
          missing = new TreeSet<>(wanted);
          missing.removeAll(served);
          if (missing.isEmpty()) {
            System.out.printf("OpsScrapeTargetsIT: %s at %s serves %d metric names, all %d the dashboards and alerts use%n",
                what, url, served.size(), wanted.size());
            return;
          }
        }
      } catch (RuntimeException e) {
        // endpoint not up yet
      }
      Thread.sleep(2_000);
    }
    Set<String> similar = new java.util.LinkedHashSet<>();
    for (String m : missing) {
      String tail = m.substring(m.lastIndexOf('_') + 1).toLowerCase(java.util.Locale.ROOT);
      served.stream().filter(s -> s.toLowerCase(java.util.Locale.ROOT).contains(tail)).limit(8).forEach(similar::add);
    }
    throw new AssertionError(what + " at " + url + " does not serve " + missing + " (queried by ops/grafana or alerts.yml); "
        + served.size() + " names served, similar: " + similar + "\nend of " + process.log() + ":\n" + process.logTail(30));
  }

  /** Metric names of a Prometheus text exposition. */
  static Set<String> metricNames(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
      Matcher m = IDENT.matcher(l);
      if (m.lookingAt()) {
        names.add(m.group());
      }
    });
    return names;
  }

  /** job_name -> its first static target in ops/prometheus/prometheus.yml (commented jobs ignored). */
  private static Map<String, String> scrapeTargets() throws IOException {
    Map<String, String> out = new TreeMap<>();
    String job = null;
    for (String line : Files.readAllLines(ROOT.resolve("ops/prometheus/prometheus.yml"))) {
      String l = line.strip();
      if (l.startsWith("#")) {
        continue;
      }
      Matcher j = Pattern.compile("- job_name:\\s*(\\S+)").matcher(l);
      Matcher t = Pattern.compile("- targets:\\s*\\['([^']+)'").matcher(l);
      if (j.find()) {
        job = j.group(1);
      } else if (t.find() && job != null) {
        out.putIfAbsent(job, t.group(1));
      }
    }
    return out;
  }

  /** The default of a key in a layer doc's option table (those tables are checked against the declarations). */
  private static String documentedDefault(String doc, String key) throws IOException {
    for (String line : Files.readAllLines(ROOT.resolve(doc))) {
      if (line.startsWith("| `" + key + "` |")) {
        for (String cell : line.split("\\|")) {
          String c = cell.strip().replace("`", "");
          if (c.matches("-?\\d+")) {
            return c;
          }
        }
      }
    }
    throw new AssertionError("No row for " + key + " with a numeric default in " + doc);
  }
}
