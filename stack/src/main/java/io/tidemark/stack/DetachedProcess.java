package io.tidemark.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting a process that outlives the JVM starting it, and finding it again from another JVM.
 *
 * <p>Every long-running service Tidemark starts (Kafka, ClickHouse, s3proxy, the Airflow
 * processes) is started by a CLI that exits right away, so the process gets no pipes: output is
 * appended to a log file, input comes from {@code /dev/null}, and it runs in its own session
 * ({@code setsid}) so that Ctrl-C in the terminal does not reach it and its process group holds
 * what it spawns. Its pid is written atomically to a pid file; a later JVM trusts that pid only
 * while the process's command line still contains an identity string, so a pid reused by an
 * unrelated program is never signalled.
 */
public final class DetachedProcess {
  private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private DetachedProcess() {}

  /**
   * Starts {@code command} (an argument list, never interpreted by a shell) detached, appending its
   * output to {@code logFile} after a header line, and records its pid in {@code pidFile}.
   *
   * @param name what the header line calls the process
   */
  public static ProcessHandle start(String name, List<String> command, Map<String, String> environment,
      Path workingDir, Path logFile, Path pidFile) throws IOException {
    List<String> full = new ArrayList<>();
    SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> full.add(p.toString()));
    full.addAll(command);
    Files.createDirectories(logFile.getParent());
    Files.createDirectories(pidFile.getParent());
    Files.writeString(logFile, "=== " + Instant.now() + " starting " + name + System.lineSeparator(),
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(full).directory(workingDir.toFile());
    pb.environment().putAll(environment);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = pb.start();
    Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(tmp, Long.toString(process.pid()), StandardCharsets.US_ASCII);
    Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return process.toHandle();
  }

  /** The pid in {@code pidFile}, or {@code null} when there is no readable one. */
  public static Long recordedPid(Path pidFile) {
    try {
      String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? null : Long.valueOf(text);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** The live process {@code pidFile} records, if its command line still contains {@code identity}. */
  public static Optional<ProcessHandle> running(Path pidFile, String identity) {
    Long pid = recordedPid(pidFile);
    if (pid == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> commandLineContains(p, identity));
  }

  /**
   * Whether the process's full command line contains {@code identity}; reads /proc (the portable
   * {@link ProcessHandle.Info#commandLine()} may be truncated or empty) and, where it cannot tell,
   * assumes yes.
   */
  public static boolean commandLineContains(ProcessHandle p, String identity) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains(identity);
      }
    } catch (IOException e) {
      // fall through to the portable view
    }
    return p.info().commandLine().map(c -> c.contains(identity)).orElse(true);
  }
}
