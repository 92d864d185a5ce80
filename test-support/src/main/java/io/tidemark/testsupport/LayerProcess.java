package io.tidemark.testsupport;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.StackOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Tidemark layer's main class running in its own JVM on that module's {@code
 * target/classpath.txt}, the way {@code ./tidemark} starts it, for tests in other modules.
 *
 * <p>Why: a test of one layer against another must not put the other's engine on its classpath
 * (serving must never see Flink's; the build checks it). The child gets the test's resolved
 * configuration through a properties file named by {@code TIDEMARK_CONFIG}, exactly as the CLI
 * hands it over.
 *
 * <p>{@link #close()} stops the child and every process it started (SIGTERM, then SIGKILL after
 * the stop timeout), and a JVM shutdown hook does the same if the test JVM exits first, so no
 * layer outlives its test, also when the test fails. Not thread-safe.
 *
 * <pre>{@code
 * try (LayerProcess speed = LayerProcess.builder("speed-layer", "io.tidemark.speed.SpeedLayerMain")
 *     .config(cfg).jvmArg("-Xmx768m").arg("run").log(Path.of("target/speed.log")).start()) {
 *   ...
 * }
 * }</pre>
 */
public final class LayerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private final long stopTimeoutMs;
  private final Thread hook;

  private LayerProcess(String name, Process process, Path log, long stopTimeoutMs) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stopTimeoutMs = stopTimeoutMs;
    this.hook = new Thread(this::stop, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * A builder for {@code mainClass} of {@code module} (a folder under the project root holding
   * {@code target/classes} and {@code target/classpath.txt}).
   */
  public static Builder builder(String module, String mainClass) {
    return new Builder(module, mainClass);
  }

  /** The project root: {@code TIDEMARK_HOME}, else the nearest folder above the working directory with the stack's pom. */
  public static Path projectRoot() {
    return StackOptions.projectRoot(System.getenv(), Path.of("").toAbsolutePath());
  }

  /** A TCP port nobody listens on at the moment of the call (for a child's own endpoint). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The last {@code lines} lines of the child's output, for failure messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Fails, with the end of the child's log, when the child has exited. */
  public void assertAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + "; end of " + log + ":\n" + logTail(40));
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs stop() again, which is idempotent
    }
  }

  private void stop() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(stopTimeoutMs, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      // A child that started processes of its own (lake run starts the Connect worker) stops them
      // in its shutdown hook; whatever is left after it exited is stopped here.
      for (ProcessHandle c : children) {
        if (c.isAlive()) {
          c.destroy();
          c.onExit().get(stopTimeoutMs, TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // fall through to SIGKILL below
    } finally {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** Builder; {@link #config} and {@link #log} are required. */
  public static final class Builder {
    private final String module;
    private final String mainClass;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private TidemarkConfig config;
    private Path log;
    private long stopTimeoutMs = 30_000;

    private Builder(String module, String mainClass) {
      this.module = module;
      this.mainClass = mainClass;
    }

    /** The child's configuration; its explicit values go to the {@code TIDEMARK_CONFIG} file. */
    public Builder config(TidemarkConfig resolved) {
      this.config = resolved;
      return this;
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    public Builder arg(String arg) {
      args.add(arg);
      return this;
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** File the child's stdout and stderr are appended to; its folder also gets the config file. */
    public Builder log(Path file) {
      this.log = file.toAbsolutePath();
      return this;
    }

    /** How long {@link #close()} waits after SIGTERM before SIGKILL (default 30 s). */
    public Builder stopTimeout(java.time.Duration timeout) {
      this.stopTimeoutMs = timeout.toMillis();
      return this;
    }

    /**
     * Starts the child; returns once the process exists (readiness is the caller's to wait for).
     *
     * @throws IllegalStateException when the module is not built, naming the command that builds it
     */
    public LayerProcess start() {
      if (config == null) {
        throw new IllegalArgumentException("Property config is required but not provided");
      }
      if (log == null) {
        throw new IllegalArgumentException("Property log is required but not provided");
      }
      Path root = projectRoot();
      Path target = root.resolve(module).resolve("target");
      Path classpathFile = target.resolve("classpath.txt");
      if (!Files.isRegularFile(classpathFile) || !Files.isDirectory(target.resolve("classes"))) {
        throw new IllegalStateException(
            module + " is not built (" + classpathFile + " missing): run mvn -B package -DskipTests -pl " + module
                + " -am (or ./tidemark build)");
      }
      try {
        Files.createDirectories(log.getParent());
        String classpath = target.resolve("classes") + File.pathSeparator + Files.readString(classpathFile).trim();
        Path configFile = log.resolveSibling(log.getFileName() + ".properties");
        config.store(configFile, "Configuration of " + mainClass + " in a test");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
        pb.environment().put(StackOptions.PROJECT_HOME_ENV, root.toString());
        pb.environment().putAll(env);
        return new LayerProcess(module, pb.start(), log, stopTimeoutMs);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot start " + mainClass + " of " + module + ": " + e.getMessage(), e);
      }
    }
  }
}
