package io.tidemark.lake;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** Follows a log file from a position and waits for a line; used to kill the worker at chosen steps. */
final class LogWatcher {
  private final Path file;
  private long position;
  private String partial = "";

  LogWatcher(Path file) throws IOException {
    this.file = file;
    this.position = Files.exists(file) ? Files.size(file) : 0;
  }

  /** Forgets what was written so far: the next {@link #await} only sees lines written after this. */
  void skipToEnd() throws IOException {
    position = Files.exists(file) ? Files.size(file) : 0;
    partial = "";
  }

  /** Returns the first new line matching {@code regex}; fails after {@code timeout}. */
  String await(String regex, Duration timeout) throws IOException, InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.size(file) > position) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
          raf.seek(position);
          byte[] buf = new byte[(int) (raf.length() - position)];
          raf.readFully(buf);
          position += buf.length;
          String text = partial + new String(buf, StandardCharsets.UTF_8);
          int last = text.lastIndexOf('\n');
          partial = text.substring(last + 1);
          for (String line : text.substring(0, last + 1).split("\n")) {
            if (p.matcher(line).find()) {
              return line;
            }
          }
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("No line matching " + regex + " in " + file + " within " + timeout);
  }

  private static final Pattern PROTOCOL = Pattern.compile(
      "ERROR|WARN|Exception|Coordinator|leader|commit worker|Commit|DATA_|START_COMMIT|assigned|revoked|Rebalanc|Kafka Connect started|Setting offset|Resetting offset|Found no committed|newly assigned");

  /** The last {@code max} lines of the log that tell the commit protocol's story, for failure messages. */
  static String protocolLines(Path file, int max) throws IOException {
    if (!Files.exists(file)) {
      return "(no log at " + file + ")";
    }
    java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> PROTOCOL.matcher(l).find()).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - max), lines.size()));
  }
}
