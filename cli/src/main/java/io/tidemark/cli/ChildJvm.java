package io.tidemark.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a layer's main class in its own JVM with that module's own classpath.
 *
 * <p>Flink, Spark and Kafka Connect bring conflicting Scala, Jackson and Hadoop versions; keeping
 * each in a child JVM built from {@code <module>/target/classpath.txt} is what guarantees they
 * never share a classpath (the same separation a cluster gives them). The child receives the
 * parent's resolved configuration through a private properties file named by {@code
 * TIDEMARK_CONFIG}, so it sees exactly the endpoints the parent resolved.
 */
final class ChildJvm {
  private final String module;
  private final String mainClass;
  private final List<String> jvmArgs = new ArrayList<>();
  private final java.util.Map<String, String> env = new java.util.LinkedHashMap<>();

  ChildJvm(String module, String mainClass) {
    this.module = module;
    this.mainClass = mainClass;
  }

  ChildJvm jvmArg(String arg) {
    jvmArgs.add(arg);
    return this;
  }

  /** Sets an environment variable of the child (e.g. a documented test failpoint). */
  ChildJvm env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /**
   * Starts the child in the background with stdout and stderr in separate files (for a {@code
   * --json} report read from stdout); the caller owns the process.
   */
  Process start(TidemarkConfig resolvedConfig, List<String> args, Path stdout, Path stderr) {
    try {
      Files.createDirectories(stdout.getParent());
      return builder(resolvedConfig, args)
          .redirectOutput(stdout.toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + mainClass + ": " + e.getMessage(), e);
    }
  }

  /** Runs the child with inherited stdin/stdout/stderr and returns its exit code. */
  int run(TidemarkConfig resolvedConfig, List<String> args) {
    try {
      Process p = builder(resolvedConfig, args).inheritIO().start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
      return p.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + mainClass + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  /**
   * Starts the child in the background with its output appended to {@code logFile}; the caller
   * owns the process and must stop it.
   */
  Process start(TidemarkConfig resolvedConfig, List<String> args, Path logFile) {
    try {
      Files.createDirectories(logFile.getParent());
      return builder(resolvedConfig, args)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + mainClass + ": " + e.getMessage(), e);
    }
  }

  private ProcessBuilder builder(TidemarkConfig resolvedConfig, List<String> args) throws IOException {
    Path root = StackOptions.projectRoot(System.getenv(), Path.of("").toAbsolutePath());
    Path moduleDir = root.resolve(module);
    Path classpathFile = moduleDir.resolve("target/classpath.txt");
    Path classes = moduleDir.resolve("target/classes");
    if (!Files.isRegularFile(classpathFile) || !Files.isDirectory(classes)) {
      throw new UserFacingException(module + " is not built (" + classpathFile + " missing): run ./tidemark build");
    }
    {
      String classpath = classes + java.io.File.pathSeparator + Files.readString(classpathFile).trim();
      Path configFile = writeConfig(resolvedConfig);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(classpath);
      command.add(mainClass);
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command);
      withoutInheritedOverrides(pb.environment(), resolvedConfig);
      pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
      pb.environment().put(StackOptions.PROJECT_HOME_ENV, root.toString());
      pb.environment().putAll(env);
      return pb;
    }
  }

  /**
   * Removes from the child's inherited environment the variable of every key the resolved
   * configuration holds. The child reads its configuration file and then the environment, which
   * wins; an inherited {@code TIDEMARK_*} variable would undo the {@code -D} or option the parent
   * applied over it. Variables of keys the parent did not resolve stay for the child to read.
   */
  static void withoutInheritedOverrides(java.util.Map<String, String> childEnv, TidemarkConfig resolvedConfig) {
    for (String key : resolvedConfig.explicitValues().keySet()) {
      childEnv.remove(io.tidemark.core.config.ConfigOption.envNameOf(key));
    }
  }

  /**
   * One file per child, deleted when this JVM exits: Airflow runs two backfill days at once, and
   * with one shared {@code <module>.properties}, deleted and then created anew, the second CLI's
   * create could fail with FileAlreadyExistsException between the first one's delete and create.
   */
  private Path writeConfig(TidemarkConfig config) throws IOException {
    Path dir = StackOptions.home(config).resolve("run");
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, module + "-", ".properties",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    file.toFile().deleteOnExit();
    config.store(file, "Resolved configuration handed to " + mainClass + " by ./tidemark");
    return file;
  }
}
