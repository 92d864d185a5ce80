package io.tidemark.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
