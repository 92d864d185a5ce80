package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The built jar submitted with Flink's CLI to a real session cluster: a JobManager and a
 * TaskManager as separate JVMs started from the Maven jars (see ENVIRONMENT.md), the job running on
 * the TaskManager, exact counts.
 */
class SpeedLayerSessionClusterIT {
  /** Flink's own JVM flags for Java 17 (env.java.opts.all of its default configuration). */
  static final List<String> FLINK_JVM_FLAGS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  @Test
  void builtJarRunsOnASessionClusterWithExactCounts() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedcluster");
    Path work = Files.createDirectories(Path.of("target", "it-session-cluster", String.valueOf(System.nanoTime())))
        .toAbsolutePath();
    Path conf = Files.createDirectories(work.resolve("conf"));
    int restPort = freePort();
    int rpcPort = freePort();
    Files.writeString(conf.resolve("config.yaml"), String.join("\n",
        "jobmanager.rpc.address: localhost",
        "jobmanager.rpc.port: " + rpcPort,
        "jobmanager.bind-host: localhost",
        "jobmanager.memory.process.size: 768m",
        "rest.address: localhost",
        "rest.bind-address: localhost",
        "rest.port: " + restPort,
        "taskmanager.host: localhost",
        "taskmanager.bind-host: localhost",
        "taskmanager.numberOfTaskSlots: 2",
        "taskmanager.memory.process.size: 1200m",
        "parallelism.default: 2",
        ""));
    Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
        "rootLogger.level = INFO", "rootLogger.appenderRef.console.ref = console",
        "appender.console.type = Console", "appender.console.name = console",
        "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d %-5p %c{1} - %m%n", ""));
    String clusterClasspath = clusterClasspath();
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = builtJar();

    List<Process> processes = new ArrayList<>();
    try {
      processes.add(startJvm(java, List.of("-Xmx512m"), clusterClasspath,
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of("--configDir", conf.toString()),
          work.resolve("jobmanager.log"), conf));
      TaskManagerParams tm = taskManagerParams(java, clusterClasspath, conf);
      List<String> tmArgs = new ArrayList<>(List.of("--configDir", conf.toString()));
      tmArgs.addAll(tm.dynamicConfigs());
      processes.add(startJvm(java, tm.jvmParams(), clusterClasspath,
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", tmArgs, work.resolve("taskmanager.log"), conf));
      FlinkRest rest = new FlinkRest(restPort);
      Awaitility.await("session cluster with one TaskManager")
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> rest.get("/overview").path("taskmanagers").asInt() == 1);

      List<String> submit = new ArrayList<>(List.of("run", "-d", "-m", "localhost:" + restPort,
          "-c", SpeedLayerMain.class.getName(), jar.toString(), "run"));
      cfg.explicitValues().forEach((k, v) -> submit.add("-D" + k + "=" + v));
      Process client = startJvm(java, List.of("-Xmx512m"), clusterClasspath, "org.apache.flink.client.cli.CliFrontend",
          submit, work.resolve("client.log"), conf);
      assertThat(client.waitFor(120, TimeUnit.SECONDS)).as("flink run returns").isTrue();
      assertThat(client.exitValue()).as(Files.readString(work.resolve("client.log"))).isZero();

      Awaitility.await("job running on the TaskManager")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> rest.get("/jobs/overview").path("jobs").get(0).path("tasks").path("running").asInt() > 0
              && rest.get("/jobs/overview").path("jobs").get(0).path("tasks").path("running").asInt()
                  == rest.get("/jobs/overview").path("jobs").get(0).path("tasks").path("total").asInt());
      Thread.sleep(3_000);

      GroundTruth truth =
          TrafficGenerator.builder()
              .config(cfg)
              .spec(SpeedIt.mixedTraffic(1_500, Duration.ofSeconds(30)).seed(41).build())
              .build()
              .run(null);
      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts from the session cluster")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(2))
            .untilAsserted(
                () -> {
                  Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
                  assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
                });
      }
      assertThat(rest.get("/jobs/overview").path("jobs").get(0).path("state").asText()).isEqualTo("RUNNING");
      assertThat(Files.readString(work.resolve("taskmanager.log")))
          .as("the counting operators run in the TaskManager JVM")
          .contains("dedup-and-count-per-user")
          .contains("count-per-page");
    } finally {
      for (Process p : processes) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The shaded jar {@code mvn package} built (the one users submit). */
  static Path builtJar() throws Exception {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("tidemark-speed-layer-.*\\.jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("run mvn package first: no target/tidemark-speed-layer-*.jar"))
          .toAbsolutePath();
    }
  }

  /**
   * What a Flink distribution has on its classpath: Flink and its own dependencies, none of the
   * job's (connectors, Kafka and ClickHouse clients, Tidemark), which must come from the jar.
   */
  static String clusterClasspath() throws Exception {
    List<String> exclude = List.of("flink-connector-kafka", "flink-connector-base", "/org/apache/kafka/",
        "/com/clickhouse/", "/org/apache/httpcomponents/", "/io/tidemark/", "/info/picocli/", "/software/amazon/",
        "/org/xerial/", "/org/postgresql/", "/org/apache/avro/", "/com/fasterxml/", "/org/roaringbitmap/",
        "/at/yawk/", "/com/github/luben/", "/com/google/guava/");
    return Arrays.stream(Files.readString(Path.of("target", "classpath.txt")).trim().split(File.pathSeparator))
        .filter(e -> exclude.stream().noneMatch(e::contains))
        .collect(Collectors.joining(File.pathSeparator));
  }

  record TaskManagerParams(List<String> jvmParams, List<String> dynamicConfigs) {}

  /** Flink's own memory calculation for the TaskManager, as its start script does. */
  static TaskManagerParams taskManagerParams(String java, String cp, Path conf) throws Exception {
    Process p = new ProcessBuilder(java, "-cp", cp, "org.apache.flink.runtime.util.bash.BashJavaUtils",
        "GET_TM_RESOURCE_PARAMS", "--configDir", conf.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim()).toList();
    assertThat(results).as(out).hasSizeGreaterThanOrEqualTo(2);
    List<String> jvm = new ArrayList<>(Arrays.asList(results.get(results.size() - 2).split("\\s+")));
    List<String> dyn = new ArrayList<>(Arrays.asList(results.get(results.size() - 1).split("\\s+")));
    return new TaskManagerParams(jvm, dyn);
  }

  static Process startJvm(String java, List<String> jvmArgs, String cp, String main, List<String> args, Path log, Path conf)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmArgs);
    cmd.addAll(FLINK_JVM_FLAGS);
    cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(main);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("FLINK_CONF_DIR", conf.toString());
    return pb.start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
