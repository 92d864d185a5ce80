package io.tidemark.lake.connect;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.table.LakeCatalog;
import io.tidemark.lake.table.PageViewTable;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect standalone worker running the archive connector, in its own JVM.
 *
 * <p>{@link #start()} prepares everything the sink relies on (table, control topic, coordinator
 * offsets; all idempotent), writes the worker and connector properties under
 * {@code <stack home>/lake/} and starts {@code ConnectStandalone} on the classpath of
 * lake/connect-runtime plus this module and tidemark-core (for the transform). The worker holds no
 * state that matters: every archived record's fate lives in Kafka (source offsets, control topic)
 * and in the table, so killing the process at any moment loses nothing and a new one resumes.
 *
 * <pre>{@code
 * ConnectWorker worker = ConnectWorker.builder().config(resolved).build();
 * worker.start();
 * ...
 * worker.kill();   // or stop()
 * }</pre>
 */
public final class ConnectWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectWorker.class);
  public static final String MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone";
  /** File name prefix of the Prometheus JMX exporter agent among lake/connect-runtime's jars. */
  static final String METRICS_AGENT_JAR = "jmx_prometheus_javaagent-";

  private final TidemarkConfig cfg;
  private final Path dir;
  private final Path classpathFile;
  private Process process;

  private ConnectWorker(TidemarkConfig cfg, Path dir, Path classpathFile) {
    this.cfg = cfg;
    this.dir = dir;
    this.classpathFile = classpathFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Folder with the worker's files: properties, offsets, log. */
  public Path dir() {
    return dir;
  }

  public Path logFile() {
    return dir.resolve("connect.log");
  }

  /**
   * Prepares the table and the control topic, then starts the worker JVM. Returns once the
   * process is started.
   *
   * @throws IllegalStateException when a preparation step fails, naming it
   */
  public synchronized Process start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("Connect worker already running, pid " + process.pid());
    }
    refuseIfAnotherWorkerRuns();
    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      PageViewTable.createIfMissing(
          catalog,
          PageViewTable.identifier(cfg.get(io.tidemark.core.config.LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)),
          cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE));
    }
    ControlTopicGuard.prepare(cfg, cfg.get(LakeArchiveOptions.CONSUMER_SESSION_TIMEOUT).plusSeconds(20));
    try {
      Files.createDirectories(dir);
      Path workerProps = dir.resolve("worker.properties");
      Path connectorProps = dir.resolve("connector.properties");
      write(workerProps, ArchiveConnectorConfig.standaloneWorker(cfg, dir.resolve("connect.offsets").toString()));
      write(connectorProps, ArchiveConnectorConfig.connector(cfg));
      Path log4j = dir.resolve("log4j2.properties");
      Files.writeString(log4j, log4jConfig(logFile()));
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx" + cfg.get(LakeArchiveOptions.WORKER_HEAP));
      cmd.add("-Daws.requestChecksumCalculation=when_required");
      cmd.add("-Daws.responseChecksumValidation=when_required");
      cmd.add("-Dlog4j2.configurationFile=" + log4j);
      cmd.add("-Dtidemark.lake.worker=" + cfg.get(LakeArchiveOptions.CONNECTOR_NAME));
      List<String> connectJars = connectClasspath();
      metricsAgent(connectJars).ifPresent(cmd::add);
      cmd.addAll(extraJvmOptions(cfg));
      cmd.add("-cp");
      cmd.add(classpath(connectJars));
      cmd.add(MAIN_CLASS);
      cmd.add(workerProps.toString());
      cmd.add(connectorProps.toString());
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("connect.out").toFile()));
      process = pb.start();
      Files.writeString(launcherPidFile(), Long.toString(ProcessHandle.current().pid()));
      Files.writeString(pidFile(), Long.toString(process.pid()));
      LOG.info("Started Kafka Connect worker pid {} (log {})", process.pid(), logFile());
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the Kafka Connect worker in " + dir, e);
    }
  }

  private Path pidFile() {
    return dir.resolve("worker.pid");
  }

  /** The pid of the process that started the worker (a {@code lake run}, a test, the benchmark). */
  private Path launcherPidFile() {
    return dir.resolve("launcher.pid");
  }

  /**
   * Whether the worker's launcher is gone (the worker was re-parented): only then is it replaced
   * rather than refused. Unknown (no launcher file, from an older start) counts as not orphaned.
   */
  private boolean orphaned(ProcessHandle worker) throws IOException {
    if (!Files.exists(launcherPidFile())) {
      return false;
    }
    long launcher = Long.parseLong(Files.readString(launcherPidFile()).trim());
    return worker.parent().map(ProcessHandle::pid).orElse(-1L) != launcher;
  }

  /**
   * A second worker of the same connector would run a second coordinator, which is how the sink
   * commits files twice (apache/iceberg#17637); also after {@code lake run} itself was killed and
   * left its worker JVM running.
   */
  private void refuseIfAnotherWorkerRuns() {
    try {
      if (!Files.exists(pidFile())) {
        return;
      }
      long pid = Long.parseLong(Files.readString(pidFile()).trim());
      java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
      // ProcessHandle.Info.commandLine() is often empty on Linux, so identify the worker by being
      // alive and started before its pid file was written (not a later process reusing the pid).
      long written = Files.getLastModifiedTime(pidFile()).toMillis();
      boolean ours = h.isPresent() && h.get().isAlive()
          && h.get().info().startInstant().map(t -> t.toEpochMilli() <= written + 1000).orElse(true);
      if (ours && orphaned(h.get())) {
        // `lake run` was killed (kill -9 leaves no shutdown hook) and its worker kept running: the
        // plain restart replaces it. Killing a worker loses nothing (CrashIT); two would run two
        // commit coordinators.
        LOG.warn("Stopping Kafka Connect worker pid {}, left running by a killed lake run; starting a new one", pid);
        h.get().destroyForcibly();
        try {
          h.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("Cannot stop the orphaned Kafka Connect worker pid " + pid + ": " + e, e);
        }
        return;
      }
      if (ours) {
        throw new IllegalStateException("A Kafka Connect worker of connector " + cfg.get(LakeArchiveOptions.CONNECTOR_NAME)
            + " is already running (pid " + pid + ", " + dir + "); two workers would run two commit coordinators. Stop it first.");
      }
    } catch (IOException | NumberFormatException e) {
      LOG.warn("Ignoring unreadable {}: {}", pidFile(), e.getMessage());
    }
  }

  public synchronized Process process() {
    return process;
  }

  /**
   * SIGKILL, no shutdown: what a crash looks like. Waits until the process is gone.
   *
   * <p>Restart contract (docs/operations.md): a worker killed at any moment is replaced by a plain
   * {@link #start()} that resumes from the committed source offsets and the sink's commit state;
   * a worker whose launcher was killed is stopped and replaced by the next {@link #start()}.
   */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** Graceful stop (SIGTERM: Connect closes the task), then SIGKILL after {@code timeout}. */
  public synchronized void stop(Duration timeout) throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(30));
  }

  private List<String> connectClasspath() throws IOException {
    return List.of(Files.readString(classpathFile).trim().split(java.io.File.pathSeparator));
  }

  /** The worker's classpath: lake/connect-runtime's jars (less the JMX exporter agent), lake, core. */
  private static String classpath(List<String> connectJars) {
    List<String> cp = new ArrayList<>();
    connectJars.stream().filter(j -> !isMetricsAgent(j)).forEach(cp::add);
    cp.add(codeSource(ConnectWorker.class));
    cp.add(codeSource(PageViewParser.class));
    return String.join(java.io.File.pathSeparator, cp);
  }

  /** {@code tidemark.lake.worker-jvm-options}, split on whitespace; last, so they win over ours. */
  static List<String> extraJvmOptions(TidemarkConfig cfg) {
    String options = cfg.isSet(LakeArchiveOptions.WORKER_JVM_OPTIONS) ? cfg.get(LakeArchiveOptions.WORKER_JVM_OPTIONS).strip() : "";
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  private static boolean isMetricsAgent(String jar) {
    return Path.of(jar).getFileName().toString().startsWith(METRICS_AGENT_JAR);
  }

  /**
   * {@code -javaagent:<jmx exporter>=<port>:<rules>} unless {@code tidemark.lake.metrics-port} is
   * -1: Kafka Connect reports through JMX only, and this agent serves those MBeans as Prometheus
   * text on the port ops/prometheus scrapes (job tidemark-connect).
   *
   * @throws IllegalStateException when the agent jar or the rules file is missing, naming it
   */
  private java.util.Optional<String> metricsAgent(List<String> connectJars) {
    int port = cfg.get(LakeArchiveOptions.METRICS_PORT);
    if (port < 0) {
      return java.util.Optional.empty();
    }
    String agent = connectJars.stream().filter(ConnectWorker::isMetricsAgent).findFirst()
        .orElseThrow(() -> new IllegalStateException("No " + METRICS_AGENT_JAR + "*.jar in " + classpathFile
            + ": rebuild lake/connect-runtime, or set " + LakeArchiveOptions.METRICS_PORT.key() + "=-1"));
    Path rules = metricsRules(cfg);
    if (!Files.isRegularFile(rules)) {
      throw new IllegalStateException("JMX exporter rules " + rules + " do not exist: set "
          + LakeArchiveOptions.METRICS_RULES.key() + ", or " + LakeArchiveOptions.METRICS_PORT.key() + "=-1");
    }
    return java.util.Optional.of("-javaagent:" + agent + "=" + port + ":" + rules.toAbsolutePath());
  }

  static Path metricsRules(TidemarkConfig cfg) {
    if (cfg.isSet(LakeArchiveOptions.METRICS_RULES)) {
      return Path.of(cfg.get(LakeArchiveOptions.METRICS_RULES));
    }
    return Builder.projectRoot().resolve("ops").resolve("prometheus").resolve("connect-jmx-exporter.yml");
  }

  private static String codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, Map<String, String> values) throws IOException {
    Properties p = new Properties();
    p.putAll(values);
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, "Written by Tidemark lake; regenerated on every start");
    }
  }

  private static String log4jConfig(Path logFile) {
    return String.join("\n",
        "rootLogger.level=INFO",
        "rootLogger.appenderRef.file.ref=file",
        "appender.file.type=File",
        "appender.file.name=file",
        "appender.file.fileName=" + logFile,
        "appender.file.layout.type=PatternLayout",
        "appender.file.layout.pattern=[%d] %p %m (%c:%L)%n",
        "logger.kafka.name=org.apache.kafka",
        "logger.kafka.level=WARN",
        // where each consumer starts after an assignment (committed offset, or reset): the first
        // thing to read when archived offsets look skipped or repeated after a restart
        "logger.position.name=org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
        "logger.position.level=INFO",
        "logger.reset.name=org.apache.kafka.clients.consumer.internals.SubscriptionState",
        "logger.reset.level=INFO",
        "logger.connect.name=org.apache.kafka.connect.runtime.WorkerSinkTask",
        "logger.connect.level=INFO",
        "logger.iceberg.name=org.apache.iceberg",
        "logger.iceberg.level=INFO",
        "logger.parquet.name=org.apache.parquet",
        "logger.parquet.level=WARN",
        "");
  }

  /** Builder; {@link #config} is required. */
  public static final class Builder {
    private TidemarkConfig cfg;
    private Path dir;
    private Path classpathFile;

    public Builder config(TidemarkConfig resolved) {
      this.cfg = resolved;
      return this;
    }

    /** Worker folder; default {@code <stack home>/lake/<connector name>}. */
    public Builder dir(Path dir) {
      this.dir = dir;
      return this;
    }

    public ConnectWorker build() {
      if (cfg == null) {
        throw new IllegalArgumentException("Property config is required but not provided");
      }
      Path d = dir != null ? dir : StackOptions.home(cfg).resolve("lake").resolve(cfg.get(LakeArchiveOptions.CONNECTOR_NAME));
      Path cp = classpathFile(cfg);
      if (!Files.isRegularFile(cp)) {
        throw new IllegalStateException(
            "Connect worker classpath file " + cp + " does not exist: build lake/connect-runtime (mvn -pl lake/connect-runtime package) or set "
                + LakeArchiveOptions.CONNECT_CLASSPATH_FILE.key());
      }
      return new ConnectWorker(cfg, d, cp);
    }

    static Path projectRoot() {
      String home = System.getenv(StackOptions.PROJECT_HOME_ENV);
      return home != null && !home.isBlank() ? Path.of(home) : Path.of("").toAbsolutePath();
    }

    static Path classpathFile(TidemarkConfig cfg) {
      if (cfg.isSet(LakeArchiveOptions.CONNECT_CLASSPATH_FILE)) {
        return Path.of(cfg.get(LakeArchiveOptions.CONNECT_CLASSPATH_FILE));
      }
      return projectRoot().resolve("lake").resolve("connect-runtime").resolve("target").resolve("classpath.txt");
    }
  }
}
