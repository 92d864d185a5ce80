package io.tidemark.reconcile.testing;

import io.tidemark.core.config.TidemarkConfig;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A Tidemark module's main class in a child JVM on that module's own {@code target/classpath.txt},
 * with the test's configuration in a properties file named by {@code TIDEMARK_CONFIG}: how the CLI
 * runs the layers, and the only way a test here may run the Flink speed layer (Flink and Spark never
 * share a classpath).
 */
public final class ModuleJvm {
  private final Path moduleDir;
  private final List<String> jvmArgs = new ArrayList<>();

  private ModuleJvm(Path moduleDir) {
    this.moduleDir = moduleDir;
  }

  /** This module (the test's working directory). */
  public static ModuleJvm self() {
    return new ModuleJvm(Path.of("").toAbsolutePath());
  }

  /** A sibling module, e.g. {@code speed-layer}; it must have been built. */
  public static ModuleJvm sibling(String module) {
    return new ModuleJvm(Path.of("").toAbsolutePath().getParent().resolve(module));
  }

  public ModuleJvm jvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  /** Writes {@code cfg}'s explicit values to a private properties file for {@code TIDEMARK_CONFIG}. */
  public static Path writeConfig(TidemarkConfig cfg, String prefix) {
    try {
      Path file = Files.createTempFile(prefix, ".properties");
      Properties p = new Properties();
      p.putAll(cfg.explicitValues());
      try (OutputStream out = Files.newOutputStream(file)) {
        p.store(out, null);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process builder of {@code mainClass args}; the caller redirects output and owns the process. */
  public ProcessBuilder builder(Path configFile, Map<String, String> env, String mainClass, String... args) {
    Path classpathFile = moduleDir.resolve("target/classpath.txt");
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException(moduleDir.getFileName() + " is not built (" + classpathFile
          + " missing): build it first, e.g. mvn -pl " + moduleDir.getFileName() + " -am package -DskipTests");
    }
    String cp;
    try {
      cp = moduleDir.resolve("target/classes") + File.pathSeparator + Files.readString(classpathFile).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", cp, mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TIDEMARK_CONFIG", configFile.toString());
    pb.environment().putAll(env);
    return pb;
  }

  /** Stops a child: SIGTERM, then SIGKILL after 20 s. Safe on a dead or null process. */
  public static void stop(Process p) {
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
