package io.tidemark.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One detached service process of the local stack, known across JVMs only through its pid file
 * (see {@link DetachedProcess}); its identity is its config file path.
 */
final class ManagedProcess {
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
    return DetachedProcess.recordedPid(pidFile);
  }

  /** The live process this pid file records, if it is alive and still this service. */
  Optional<ProcessHandle> running() {
    return DetachedProcess.running(pidFile, identity);
  }

  /** Whether the recorded pid is alive but runs something else (a stale pid file). */
  boolean pidTakenByOtherProgram() {
    Long pid = recordedPid();
    return pid != null && ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(p -> !DetachedProcess.commandLineContains(p, identity)).isPresent();
  }

  /**
   * Starts the process detached and records its pid. The command is an argument list; nothing is
   * interpreted by a shell.
   */
  ProcessHandle start(List<String> command, Map<String, String> environment, Path workingDir) {
    try {
      return DetachedProcess.start(name, command, environment, workingDir, consoleFile, pidFile);
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
