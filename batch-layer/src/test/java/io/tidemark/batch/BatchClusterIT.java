package io.tidemark.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.generator.GeneratorSpec;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The batch job's main, unchanged, on a real Spark standalone cluster: Master and Worker as
 * separate processes from the Maven jars, the driver a third JVM started like the CLI starts it
 * (classpath.txt, TIDEMARK_CONFIG) with {@code tidemark.batch.spark-master} pointing at the cluster
 * and {@code tidemark.batch.spark-conf} giving the executors their classpath. Its counts equal
 * local mode's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchClusterIT {
  static final LocalDate DAY = LocalDate.parse("2026-11-18");

  final List<Process> cluster = new ArrayList<>();
  TidemarkConfig cfg;
  Path work;
  String classpath;
  int masterPort;

  @BeforeAll
  void startCluster() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "cluster_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_cluster");
    cfg = TidemarkConfig.of(v);
    SparkSession spark = SparkForTests.spark();
    String events = BatchJob.create(spark, cfg).tables().events();
    LakeRows.createEventsTable(spark, events);
    new LakeRows().addKafka(GeneratorSpec.builder().startTime(Instant.parse("2026-11-18T10:00:00Z"))
        .duration(Duration.ofMinutes(5)).rate(10).users(15).pages(4).seed(5).lateFraction(0.02)
        .duplicateFraction(0.05).invalidFraction(0.02).build()).appendTo(spark, events);

    Path module = Path.of("").toAbsolutePath();
    classpath = module.resolve("target/classes") + File.pathSeparator
        + Files.readString(module.resolve("target/classpath.txt")).trim();
    work = module.resolve("target/spark-cluster-it");
    if (Files.exists(work)) {
      try (var old = Files.walk(work)) {
        old.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    Files.createDirectories(work);
    Path sparkHome = Files.createDirectories(work.resolve("spark-home"));
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 4.0.1 (Maven jars)\n");
    masterPort = freePort();
    cluster.add(java(List.of("org.apache.spark.deploy.master.Master", "--host", "localhost", "--port",
        String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())), Map.of(), "master.log"));
    awaitPort(masterPort);
    cluster.add(java(List.of("org.apache.spark.deploy.worker.Worker", "spark://localhost:" + masterPort,
        "--host", "localhost", "--cores", "1", "--memory", "1g", "--webui-port", String.valueOf(freePort()),
        "--work-dir", work.resolve("worker").toString()),
        Map.of("SPARK_SCALA_VERSION", "2.13", "SPARK_HOME", sparkHome.toString(),
            "JAVA_HOME", System.getProperty("java.home")), "worker.log"));
  }

  @AfterAll
  void stopCluster() {
    for (Process p : cluster) {
      p.destroy();
    }
  }

  Process java(List<String> args, Map<String, String> env, String log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "-cp", classpath));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  static void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("localhost", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(500);
      }
    }
    throw new AssertionError("Spark master did not open port " + port);
  }

  Map<String, Long> counts(String table) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : SparkForTests.spark().sql("SELECT user_id, unix_millis(window_start), count FROM " + table
        + " WHERE to_date(window_start) = DATE'" + DAY + "'").collectAsList()) {
      out.put(r.getString(0) + "@" + r.getLong(1), r.getLong(2));
    }
    return out;
  }

  @Test
  void batchMainOnAStandaloneClusterGivesTheCountsOfLocalMode() throws Exception {
    // The cluster by configuration alone, as the CLI (and an Airflow task, through tidemark_env)
    // hands it to the batch JVM: no spark-submit, no -Dspark.* flags.
    Path config = work.resolve("cluster.properties");
    Properties p = new Properties();
    p.putAll(cfg.explicitValues());
    p.put(BatchOptions.SPARK_MASTER.key(), "spark://localhost:" + masterPort);
    p.put(BatchOptions.SPARK_CONF.key(),
        "spark.executor.extraClassPath=" + classpath + " spark.executor.memory=512m spark.cores.max=1");
    try (OutputStream out = Files.newOutputStream(config)) {
      p.store(out, null);
    }
    Process driver = java(List.of("io.tidemark.batch.BatchMain", "run", "--date", DAY.toString()),
        Map.of("TIDEMARK_CONFIG", config.toString()), "driver.log");
    assertThat(driver.waitFor(8, TimeUnit.MINUTES)).as("driver finished").isTrue();
    assertThat(driver.exitValue()).as(Files.readString(work.resolve("driver.log"))).isZero();
    assertThat(Files.readString(work.resolve("driver.log"))).contains("Batch batch-" + DAY);
    try (var apps = Files.list(work.resolve("worker"))) {
      assertThat(apps.filter(a -> a.getFileName().toString().startsWith("app-")))
          .as("an application with executors ran on the worker").isNotEmpty();
    }

    String table = BatchJob.create(SparkForTests.spark(), cfg).tables().counts(io.tidemark.core.metric.CountMetric.USER);
    Map<String, Long> cluster = counts(table);
    BatchJob.create(SparkForTests.spark(), cfg).run(DAY);
    assertThat(cluster).isNotEmpty().isEqualTo(counts(table));
  }
}
