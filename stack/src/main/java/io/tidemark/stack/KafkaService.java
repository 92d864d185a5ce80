package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * A single-node Kafka 4 broker in KRaft mode (broker and controller in one JVM), run from the jars
 * of {@code stack/runtime-kafka}. The storage is formatted once; later starts find the same log
 * dirs and cluster id.
 */
final class KafkaService implements LocalService {
  private final TidemarkConfig cfg;
  private final Path home;
  private final Path projectRoot;
  private final Path dir;
  private final Path dataDir;
  private final Path serverProperties;
  private final Path log4jConfig;

  KafkaService(TidemarkConfig resolved, Path home, Path projectRoot) {
    this.cfg = resolved;
    this.home = home;
    this.projectRoot = projectRoot;
    this.dir = home.resolve("kafka");
    this.dataDir = dir.resolve("data");
    this.serverProperties = dir.resolve("server.properties");
    this.log4jConfig = dir.resolve("log4j2.xml");
  }

  @Override
  public Service service() {
    return Service.KAFKA;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String address() {
    return cfg.get(KafkaOptions.BOOTSTRAP);
  }

  @Override
  public Map<ConfigOption<Integer>, Integer> ports() {
    Map<ConfigOption<Integer>, Integer> m = new LinkedHashMap<>();
    m.put(StackOptions.KAFKA_PORT, port());
    m.put(StackOptions.KAFKA_CONTROLLER_PORT, cfg.get(StackOptions.KAFKA_CONTROLLER_PORT));
    return m;
  }

  private int port() {
    return cfg.get(StackOptions.KAFKA_PORT);
  }

  @Override
  public void prepare(StackListener listener) throws IOException, InterruptedException {
    String classpath = Runtimes.classpath(projectRoot, "runtime-kafka", "Kafka");
    Files.createDirectories(dataDir);
    writeProperties(serverProperties, serverProperties(), "Written by Tidemark's local stack on every start");
    Files.writeString(log4jConfig, log4jXml(), StandardCharsets.UTF_8);
    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      listener.progress(Service.KAFKA, "formatting KRaft storage in " + dataDir);
      format(classpath);
    }
  }

  /** The broker's configuration: one node, loopback listeners, replication factor 1 everywhere. */
  Properties serverProperties() {
    int controllerPort = cfg.get(StackOptions.KAFKA_CONTROLLER_PORT);
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port() + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port());
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dataDir.toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("min.insync.replicas", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    return p;
  }

  private void format(String classpath) throws IOException, InterruptedException {
    List<String> cmd =
        List.of(
            Runtimes.javaBinary(),
            "-Xmx256m",
            "-Dlog4j2.configurationFile=" + log4jConfig.toUri(),
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            serverProperties.toString());
    Files.createDirectories(logFile().getParent());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new StackException("Formatting Kafka storage in " + dataDir + " timed out (log: " + logFile() + ")");
    }
    if (p.exitValue() != 0) {
      throw new StackException(
          "Formatting Kafka storage in " + dataDir + " failed with exit code " + p.exitValue() + " (log: " + logFile() + ")");
    }
  }

  @Override
  public List<String> command() {
    String classpath = Runtimes.classpath(projectRoot, "runtime-kafka", "Kafka");
    List<String> cmd = new ArrayList<>();
    cmd.add(Runtimes.javaBinary());
    cmd.add("-Xmx" + cfg.get(StackOptions.KAFKA_HEAP));
    cmd.add("-Xms256m");
    cmd.add("-XX:+UseG1GC");
    cmd.add("-XX:MaxGCPauseMillis=20");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-Dlog4j2.configurationFile=" + log4jConfig.toUri());
    cmd.add("-Dkafka.logs.dir=" + home.resolve("logs"));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("kafka.Kafka");
    cmd.add(serverProperties.toString());
    return cmd;
  }

  @Override
  public String processIdentity() {
    return serverProperties.toString();
  }

  @Override
  public Path logFile() {
    return home.resolve("logs").resolve("kafka.log");
  }

  @Override
  public Health check() {
    if (!Endpoints.isExternal(cfg, Service.KAFKA) && !Ports.isListening(port())) {
      return Health.failed("port " + port() + " not open");
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
    props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, cfg.get(KafkaOptions.SECURITY_PROTOCOL));
    if (cfg.get(KafkaOptions.SASL_MECHANISM) != null) {
      props.put(SaslConfigs.SASL_MECHANISM, cfg.get(KafkaOptions.SASL_MECHANISM));
    }
    if (cfg.get(KafkaOptions.SASL_JAAS_CONFIG) != null) {
      props.put(SaslConfigs.SASL_JAAS_CONFIG, cfg.get(KafkaOptions.SASL_JAAS_CONFIG));
    }
    Admin admin = Admin.create(props);
    try {
      DescribeClusterResult r = admin.describeCluster(new DescribeClusterOptions().timeoutMs(4000));
      String clusterId = r.clusterId().get(5, TimeUnit.SECONDS);
      int brokers = r.nodes().get(5, TimeUnit.SECONDS).size();
      return Health.ok("cluster " + clusterId + ", " + brokers + " broker(s)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.failed("interrupted");
    } catch (Exception e) {
      return Health.failed("describeCluster failed: " + rootMessage(e));
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private String log4jXml() {
    // Console output is redirected to logs/kafka.log by the stack; INFO keeps start-up visible.
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <Configuration status="WARN">
          <Appenders>
            <Console name="stdout" target="SYSTEM_OUT">
              <PatternLayout pattern="[%d] %p %m (%c)%n"/>
            </Console>
          </Appenders>
          <Loggers>
            <Logger name="kafka.request.logger" level="WARN"/>
            <Logger name="org.apache.kafka.clients.NetworkClient" level="WARN"/>
            <Root level="INFO">
              <AppenderRef ref="stdout"/>
            </Root>
          </Loggers>
        </Configuration>
        """;
  }

  static void writeProperties(Path file, Properties p, String comment) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, comment);
    }
  }
}
