package io.tidemark.core.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one benchmark's section of {@code docs/benchmarks.md}, replacing that section's previous
 * results and leaving every other benchmark's section alone.
 *
 * <p>Every benchmark (produce, speed, lake, serve...) runs in its own JVM and owns one section
 * between {@code <!-- bench:NAME -->} and {@code <!-- /bench:NAME -->}; the file is locked while
 * it is rewritten so two benchmarks finishing together do not lose each other's results.
 */
public final class BenchmarkReport {
  private static final String HEADER = """
      # Benchmarks

      Written by `./tidemark bench <name>`. These machines are shared and noisy, so every figure is
      given as a ratio against a baseline measured in the same run, on the same machine, next to
      the absolute numbers. Each section is replaced when its benchmark runs again.
      """;

  private BenchmarkReport() {}

  /**
   * The machine's load average as "1m / 5m / 15m (1 / 5 / 15 min)" from /proc/loadavg, or
   * "unknown": every section states how busy the shared machine was while it ran.
   */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " / " + f[1] + " / " + f[2] + " (1 / 5 / 15 min)";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Replaces (or appends) the section {@code name} of the report at {@code file}.
   *
   * @param markdown the section body, starting with its own {@code ## } heading
   */
  public static void writeSection(Path file, String name, String markdown) {
    if (!name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("Benchmark name must be lower-case letters, digits and dashes: " + name);
    }
    String begin = "<!-- bench:" + name + " -->";
    String end = "<!-- /bench:" + name + " -->";
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
          FileLock lock = ch.lock()) {
        String current = Files.exists(file) && Files.size(file) > 0
            ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
        String block = begin + "\n" + markdown.strip() + "\n" + end;
        int b = current.indexOf(begin);
        int e = current.indexOf(end);
        String updated = b >= 0 && e > b
            ? current.substring(0, b) + block + current.substring(e + end.length())
            : current.stripTrailing() + "\n\n" + block + "\n";
        byte[] bytes = updated.getBytes(StandardCharsets.UTF_8);
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(bytes), 0);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("Cannot write benchmark results to " + file, ex);
    }
  }
}
