package io.tidemark.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One detached service process, known across JVMs only through its pid file.
 *
 * <p>The process must outlive the JVM that starts it (the CLI exits right after {@code stack up}),
 * so it gets no pipes: output goes to a log file, input comes from {@code /dev/null}, and it runs
 * in its own session ({@code setsid}) so that Ctrl-C in the terminal that started it does not
 * reach it. Whether a recorded pid is still this service is checked against its command line, so
 * a pid reused by an unrelated program after a reboot is never signalled.
 */
final class ManagedProcess {
  private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private final String name;
  private final Path pidFile;
  private final Path consoleFile;
  private final String identity;

  /**
   * @param name short name used in messages and file names ({@code kafka})
   * @param pidFile where the pid is recorded
   * @param consoleFile where stdout and stderr are appended
   * @param identity text that the process's command line contains (its config file path)
   */
  ManagedProcess(String name, Path pidFile, Path consoleFile, String identity) {
    this.name = name;
    this.pidFile = pidFile;
    this.consoleFile = consoleFile;
    this.identity = identity;
  }

  /** The pid recorded by the last start, or {@code null} when there is no (readable) pid file. */
  Long recordedPid() {
    try {
      String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? null : Long.valueOf(text);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** The live process this pid file records, if it is alive and still this service. */
  Optional<ProcessHandle> running() {
    Long pid = recordedPid();
    if (pid == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
  }

  /** Whether the recorded pid is alive but runs something else (a stale pid file). */
  boolean pidTakenByOtherProgram() {
    Long pid = recordedPid();
    return pid != null && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> !isOurs(p)).isPresent();
  }

  private boolean isOurs(ProcessHandle p) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains(identity);
      }
    } catch (IOException e) {
      // fall through to the portable, possibly truncated view
    }
    return p.info().commandLine().map(c -> c.contains(identity)).orElse(true);
  }

  /**
   * Starts the process detached and records its pid. The command is an argument list; nothing is
   * interpreted by a shell.
   */
  ProcessHandle start(List<String> command, Map<String, String> environment, Path workingDir) {
    List<String> full = new ArrayList<>();
    SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> full.add(p.toString()));
    full.addAll(command);
    try {
      Files.createDirectories(consoleFile.getParent());
      Files.createDirectories(pidFile.getParent());
      Files.writeString(
          consoleFile,
          "=== " + Instant.now() + " starting " + name + System.lineSeparator(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(full).directory(workingDir.toFile());
      pb.environment().putAll(environment);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      Process process = pb.start();
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(process.pid()), StandardCharsets.US_ASCII);
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return process.toHandle();
    } catch (IOException e) {
      throw new StackException("Cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL when it has not exited within {@code grace}. Removes
   * the pid file. Does nothing when the process is not running. Idempotent.
   *
   * @return whether the process had to be killed
   */
  boolean stop(Duration grace) {
    Optional<ProcessHandle> p = running();
    boolean killed = false;
    if (p.isPresent()) {
      ProcessHandle handle = p.get();
      handle.destroy();
      if (!awaitExit(handle, grace)) {
        handle.destroyForcibly();
        awaitExit(handle, Duration.ofSeconds(10));
        killed = true;
      }
    }
    deletePidFile();
    return killed;
  }

  /** SIGKILL, keeping the pid file so that status can tell a crashed service from a stopped one. */
  void kill() {
    running()
        .ifPresent(
            p -> {
              p.destroyForcibly();
              awaitExit(p, Duration.ofSeconds(10));
            });
  }

  void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete pid file " + pidFile, e);
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !handle.isAlive();
    }
  }
}
