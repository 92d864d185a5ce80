package io.tidemark.orchestration.stack;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.OrchestrationOptions;
import io.tidemark.orchestration.client.AirflowClient;
import io.tidemark.orchestration.client.AirflowException;
import io.tidemark.orchestration.client.DagInfo;
import io.tidemark.orchestration.client.ImportError;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project-local Apache Airflow 3 run for real as three local processes: {@code api-server}
 * (UI, REST API and the task execution API), {@code scheduler} (LocalExecutor) and {@code
 * dag-processor}, on a SQLite metadata DB, with the simple auth manager and one admin user.
 *
 * <p>Layout, under {@link #airflowHome()} (default {@code <stack home>/airflow}): {@code
 * airflow.db}, {@code logs/} (one log per process, plus Airflow's task logs), {@code run/} (pid
 * files), {@code simple_auth_manager_passwords.json}, {@code tidemark-secrets} (the JWT secret
 * shared by the three processes) and {@code tidemark.properties} (the configuration the tasks run
 * the CLI with). The venv ({@link #venv()}) is installed by {@code
 * orchestration/scripts/ensure-airflow.sh}, pinned and cached, on the first {@link #start}.
 *
 * <p>{@link #start} and {@link #stop} are idempotent; a later {@code AirflowStack} on the same
 * home finds the processes through their pid files. The API server binds 127.0.0.1 only.
 *
 * <pre>{@code
 * AirflowStack airflow = new AirflowStack(cfg);
 * airflow.start(System.err::println);
 * AirflowClient client = airflow.client();
 * }</pre>
 */
public final class AirflowStack {
  private static final Logger LOG = LoggerFactory.getLogger(AirflowStack.class);

  /** The DAGs of {@code orchestration/dags/}. */
  public static final List<String> TIDEMARK_DAGS =
      List.of("tidemark_backfill", "tidemark_lake_maintenance", "tidemark_nightly");

  private static final List<String> PROCESSES = List.of("api-server", "dag-processor", "scheduler");

  private final TidemarkConfig cfg;
  private final Path projectRoot;
  private final Path venv;
  private final Path home;
  private final Path dagsFolder;
  private final int port;
  private final Map<String, AirflowProcess> processes = new LinkedHashMap<>();

  public AirflowStack(TidemarkConfig cfg) {
    this.cfg = cfg;
    this.projectRoot = StackOptions.projectRoot(System.getenv(), Path.of(""));
    Path stackHome = StackOptions.home(cfg);
    this.venv = pathOr(cfg.get(OrchestrationOptions.VENV_DIR), stackHome.resolve("airflow-venv"));
    this.home = pathOr(cfg.get(OrchestrationOptions.AIRFLOW_HOME), stackHome.resolve("airflow"));
    this.dagsFolder = pathOr(cfg.get(OrchestrationOptions.DAGS_FOLDER), projectRoot.resolve("orchestration/dags"));
    this.port = cfg.get(OrchestrationOptions.API_PORT);
    for (String p : PROCESSES) {
      processes.put(p, new AirflowProcess(p, home.resolve("run"), home.resolve("logs")));
    }
  }

  /**
   * The venv of a local Airflow started by tests, whose stack home is a temporary folder where the
   * pinned Airflow would be installed afresh on every run (97 s cold): {@code
   * TIDEMARK_ORCHESTRATION_VENV_DIR} from {@code env} when set (the key {@link
   * OrchestrationOptions#VENV_DIR}), else {@code <projectRoot>/.tidemark/airflow-venv}, the venv
   * {@code ./tidemark stack up --with airflow} installs with the default stack home. Every Airflow
   * test resolves it here, so one override moves them all (a worktree pointing at a shared venv).
   */
  public static Path testVenv(Map<String, String> env, Path projectRoot) {
    return pathOr(env.get(OrchestrationOptions.VENV_DIR.envName()), projectRoot.resolve(".tidemark/airflow-venv"));
  }

  private static Path pathOr(String configured, Path fallback) {
    return (configured == null || configured.isBlank() ? fallback : Path.of(configured)).toAbsolutePath().normalize();
  }

  public Path venv() {
    return venv;
  }

  public Path airflowHome() {
    return home;
  }

  public Path dagsFolder() {
    return dagsFolder;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** A client for this Airflow with the configured credentials. */
  public AirflowClient client() {
    return AirflowClient.builder()
        .baseUrl(url())
        .credentials(cfg.get(OrchestrationOptions.AIRFLOW_USER), cfg.get(OrchestrationOptions.AIRFLOW_PASSWORD))
        .requestTimeout(cfg.get(OrchestrationOptions.REQUEST_TIMEOUT))
        .build();
  }

  /**
   * Installs the pinned Airflow into {@link #venv()} unless it is there already (a second call
   * takes about a second). Serialized across processes by the script's flock.
   *
   * @return the venv folder
   */
  public Path ensureInstalled(Consumer<String> progress) {
    Path script = projectRoot.resolve("orchestration/scripts/ensure-airflow.sh");
    if (!Files.isExecutable(script)) {
      throw new AirflowStackException("Cannot install Airflow: " + script + " is missing or not executable");
    }
    Path log = home.resolve("logs/ensure-airflow.log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(script.toString()).redirectErrorStream(false);
      pb.environment().put("TIDEMARK_HOME", projectRoot.toString());
      pb.environment().put("TIDEMARK_AIRFLOW_VENV", venv.toString());
      pb.environment().put("TIDEMARK_AIRFLOW_VERSION", cfg.get(OrchestrationOptions.AIRFLOW_VERSION));
      pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Instant t0 = Instant.now();
      if (!Files.isExecutable(venv.resolve("bin/airflow"))) {
        progress.accept("Installing Apache Airflow " + cfg.get(OrchestrationOptions.AIRFLOW_VERSION)
            + " into " + venv + " (once; a few minutes)");
      }
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AirflowStackException("Installing Airflow took more than 30 minutes; see " + log);
      }
      if (p.exitValue() != 0) {
        throw new AirflowStackException("Installing Airflow into " + venv + " failed (exit " + p.exitValue() + "); see " + log);
      }
      LOG.info("Airflow venv {} ready in {} ms", venv, Duration.between(t0, Instant.now()).toMillis());
      return venv;
    } catch (IOException e) {
      throw new AirflowStackException("Cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AirflowStackException("Interrupted while installing Airflow", e);
    }
  }

  /**
   * Starts the local Airflow (installing it first if needed), waits until the API answers and the
   * scheduler and DAG processor report healthy, then writes the Airflow Variables the DAGs read
   * ({@code tidemark_cli}, {@code tidemark_home}, {@code tidemark_drift_alert_threshold}, and
   * {@code tidemark_env} naming {@link #taskConfigFile()}) from the configuration. Idempotent: an Airflow already running on this home is left as it is (its
   * Variables are rewritten). On failure everything this call started is stopped again.
   */
  public AirflowStatus start(Consumer<String> progress) {
    ensureInstalled(progress);
    return startProcesses(progress);
  }

  /** {@link #start} without the install step (the venv must exist). */
  AirflowStatus startProcesses(Consumer<String> progress) {
    Instant t0 = Instant.now();
    boolean allRunning = processes.values().stream().allMatch(p -> p.running().isPresent());
    writeTaskConfig();
    if (!allRunning) {
      stop(); // a partial set (one crashed): restart all three from a clean state
      requireFreePort();
      prepareHome();
      Map<String, String> env = environment();
      progress.accept("Migrating the Airflow metadata DB in " + home);
      runToCompletion(List.of(airflowBin(), "db", "migrate"), env, home.resolve("logs/db-migrate.log"), Duration.ofMinutes(5));
      for (String name : PROCESSES) {
        List<String> cmd = new ArrayList<>(List.of(airflowBin(), name));
        if (name.equals("api-server")) {
          cmd.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1"));
        } else if (name.equals("scheduler")) {
          // Task logs are local files the api-server reads directly; the log server would bind the
          // fixed port 8793 and collide with any other Airflow on the machine.
          cmd.add("--skip-serve-logs");
        }
        processes.get(name).start(cmd, env, home);
      }
      progress.accept("Started Airflow api-server, scheduler and dag-processor; waiting for " + url());
    }
    try {
      awaitHealthy(cfg.get(OrchestrationOptions.START_TIMEOUT));
      writeVariables();
    } catch (RuntimeException e) {
      if (!allRunning) {
        stop();
      }
      throw e;
    }
    LOG.info("Airflow at {} healthy after {} ms", url(), Duration.between(t0, Instant.now()).toMillis());
    return status();
  }

  /**
   * Stops the three processes and everything they started, running tasks included (the Tidemark
   * CLI and its Spark JVMs): SIGTERM, then SIGKILL after 30 s. Idempotent; keeps the data. Every
   * process is attempted even when stopping an earlier one fails; the first failure is thrown.
   */
  public void stop() {
    List<String> order = List.of("scheduler", "dag-processor", "api-server");
    AirflowStackException failure = null;
    for (String name : order) {
      try {
        if (processes.get(name).stop(Duration.ofSeconds(30))) {
          LOG.warn("Airflow {} did not stop within 30 s and was killed", name);
        }
      } catch (AirflowStackException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Which processes run and whether the API reports them healthy. Never throws for a stopped Airflow. */
  public AirflowStatus status() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((n, p) -> p.running().ifPresent(h -> pids.put(n, h.pid())));
    if (pids.isEmpty()) {
      return new AirflowStatus(url(), pids, false, "stopped");
    }
    if (pids.size() < PROCESSES.size()) {
      Set<String> missing = new TreeSet<>(PROCESSES);
      missing.removeAll(pids.keySet());
      return new AirflowStatus(url(), pids, false, "not running: " + String.join(", ", missing) + " (see " + home.resolve("logs") + ")");
    }
    try {
      Map<String, String> health = client().health();
      boolean ok = "healthy".equals(health.get("scheduler")) && "healthy".equals(health.get("dag_processor"))
          && "healthy".equals(health.get("metadatabase"));
      return new AirflowStatus(url(), pids, ok, "Airflow " + cfg.get(OrchestrationOptions.AIRFLOW_VERSION) + " " + health);
    } catch (AirflowException e) {
      return new AirflowStatus(url(), pids, false, e.getMessage());
    }
  }

  /**
   * Waits until Airflow knows every DAG in {@code dagIds}, failing early with the import error when
   * one of their files does not import.
   */
  public List<DagInfo> awaitDags(Collection<String> dagIds, Duration timeout) {
    AirflowClient client = client();
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      List<ImportError> errors = client.importErrors();
      if (!errors.isEmpty()) {
        ImportError e = errors.get(0);
        throw new AirflowStackException("DAG file " + e.filename() + " does not import: " + lastLine(e.stackTrace()));
      }
      List<DagInfo> dags = client.dags();
      Set<String> known = new TreeSet<>();
      dags.forEach(d -> known.add(d.dagId()));
      if (known.containsAll(dagIds)) {
        return dags;
      }
      if (Instant.now().isAfter(deadline)) {
        Set<String> missing = new TreeSet<>(dagIds);
        missing.removeAll(known);
        throw new AirflowStackException("Airflow at " + url() + " did not load DAGs " + missing + " from " + dagsFolder
            + " within " + timeout.toSeconds() + " s; see " + processes.get("dag-processor").logFile());
      }
      sleep(Duration.ofSeconds(1));
    }
  }

  private static String lastLine(String s) {
    String[] lines = s == null ? new String[0] : s.strip().split("\n");
    return lines.length == 0 ? "(no stack trace)" : lines[lines.length - 1].strip();
  }

  // ---------------------------------------------------------------------------------------------

  private String airflowBin() {
    return venv.resolve("bin/airflow").toString();
  }

  private void requireFreePort() {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new AirflowStackException("Cannot start Airflow: port " + port + " is in use (set tidemark.orchestration.api-port"
          + " or TIDEMARK_ORCHESTRATION_API_PORT)");
    }
  }

  private void prepareHome() {
    try {
      Files.createDirectories(home.resolve("logs"));
      Files.createDirectories(home.resolve("run"));
      String user = cfg.get(OrchestrationOptions.AIRFLOW_USER);
      String password = cfg.get(OrchestrationOptions.AIRFLOW_PASSWORD);
      String json = "{" + jsonString(user) + ": " + jsonString(password) + "}\n";
      writePrivate(home.resolve("simple_auth_manager_passwords.json"), json);
      Path secrets = home.resolve("tidemark-secrets");
      if (!Files.isRegularFile(secrets)) {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        writePrivate(secrets, HexFormat.of().formatHex(b) + "\n");
      }
    } catch (IOException e) {
      throw new AirflowStackException("Cannot prepare AIRFLOW_HOME " + home + ": " + e.getMessage(), e);
    }
  }

  /**
   * The configuration file the local Airflow's tasks run the Tidemark CLI with ({@code
   * TIDEMARK_CONFIG}): this stack's configuration, rewritten by every {@link #start}. A copy of its
   * own under AIRFLOW_HOME, because the file the CLI hands the JVM running this class is deleted
   * when that JVM exits, long before the first task runs.
   */
  public Path taskConfigFile() {
    return home.resolve("tidemark.properties");
  }

  private void writeTaskConfig() {
    Path file = taskConfigFile();
    try {
      Files.createDirectories(home);
      writePrivate(file, "");
      cfg.store(file, "Configuration of the tasks of the local Airflow, written by AirflowStack.start");
    } catch (IOException e) {
      throw new AirflowStackException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The environment of every Airflow process: Airflow's configuration as AIRFLOW__SECTION__KEY. */
  Map<String, String> environment() {
    String secret;
    try {
      secret = Files.readString(home.resolve("tidemark-secrets"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new AirflowStackException("Cannot read " + home.resolve("tidemark-secrets") + ": " + e.getMessage(), e);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AIRFLOW_HOME", home.toString());
    env.put("AIRFLOW__CORE__DAGS_FOLDER", dagsFolder.toString());
    env.put("AIRFLOW__CORE__LOAD_EXAMPLES", "False");
    env.put("AIRFLOW__CORE__EXECUTOR", "LocalExecutor");
    env.put("AIRFLOW__CORE__PARALLELISM", "4");
    // Off for tests: on unpause the scheduler would at once create the run of the latest complete
    // interval (yesterday's nightly), which goes first (it is due earliest) and, with
    // max_active_runs=1, keeps a triggered run queued until it ends, retries included.
    env.put("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", cfg.get(OrchestrationOptions.SCHEDULED_RUNS) ? "True" : "False");
    env.put("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", url() + "/execution/");
    env.put("AIRFLOW__CORE__AUTH_MANAGER", "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager");
    env.put("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", cfg.get(OrchestrationOptions.AIRFLOW_USER) + ":admin");
    env.put("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", home.resolve("simple_auth_manager_passwords.json").toString());
    env.put("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:///" + home.resolve("airflow.db"));
    env.put("AIRFLOW__API__BASE_URL", url());
    env.put("AIRFLOW__API__SECRET_KEY", secret);
    env.put("AIRFLOW__API_AUTH__JWT_SECRET", secret);
    env.put("AIRFLOW__LOGGING__BASE_LOG_FOLDER", home.resolve("logs").toString());
    // New or changed DAG files are noticed within 10 s instead of 5 minutes (a local, small folder).
    env.put("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "10");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("TIDEMARK_HOME", projectRoot.toString());
    // Replaces the TIDEMARK_CONFIG this JVM may have inherited from the CLI (a file deleted when
    // this JVM exits), which the tasks would otherwise inherit in turn.
    env.put("TIDEMARK_CONFIG", taskConfigFile().toString());
    return env;
  }

  private void runToCompletion(List<String> cmd, Map<String, String> env, Path log, Duration timeout) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AirflowStackException(String.join(" ", cmd.subList(1, cmd.size())) + " took more than " + timeout.toSeconds() + " s; see " + log);
      }
      if (p.exitValue() != 0) {
        throw new AirflowStackException("airflow " + String.join(" ", cmd.subList(1, cmd.size())) + " failed (exit "
            + p.exitValue() + "); see " + log);
      }
    } catch (IOException e) {
      throw new AirflowStackException("Cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AirflowStackException("Interrupted while running " + String.join(" ", cmd), e);
    }
  }

  private void awaitHealthy(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    AirflowClient client = client();
    String last = "no answer yet";
    while (true) {
      for (var e : processes.entrySet()) {
        if (e.getValue().running().isEmpty()) {
          throw new AirflowStackException("Airflow " + e.getKey() + " exited during start-up; last lines of "
              + e.getValue().logFile() + ":" + System.lineSeparator() + e.getValue().tail(15));
        }
      }
      if (client.isHealthy()) {
        try {
          Map<String, String> h = client.health();
          if ("healthy".equals(h.get("scheduler")) && "healthy".equals(h.get("dag_processor"))) {
            return;
          }
          last = h.toString();
        } catch (AirflowException e) {
          last = e.getMessage();
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AirflowStackException("Airflow at " + url() + " was not healthy within " + timeout.toSeconds()
            + " s (" + last + "); logs in " + home.resolve("logs"));
      }
      sleep(Duration.ofMillis(500));
    }
  }

  private void writeVariables() {
    AirflowClient client = client();
    String cli = cfg.get(OrchestrationOptions.TIDEMARK_CLI);
    client.setVariable("tidemark_cli", cli == null || cli.isBlank() ? projectRoot.resolve("tidemark").toString() : cli);
    client.setVariable("tidemark_home", projectRoot.toString());
    client.setVariable("tidemark_drift_alert_threshold", cfg.get(OrchestrationOptions.DRIFT_ALERT_THRESHOLD).toString());
    // Tasks see exactly the configuration this stack was started with, and never rebuild the
    // project under a running pipeline.
    Map<String, String> env = new java.util.TreeMap<>();
    env.put("TIDEMARK_SKIP_BUILD", "1");
    env.put("TIDEMARK_CONFIG", taskConfigFile().toString());
    try {
      client.setVariable("tidemark_env", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(env));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AirflowStackException("Interrupted while waiting for Airflow", e);
    }
  }
}
