package io.tidemark.orchestration.stack;

import io.tidemark.stack.DetachedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One detached Airflow process (api-server, scheduler or dag-processor), known across JVMs only by
 * its pid file.
 *
 * <p>It runs in its own session ({@code setsid}), so its process group holds what it spawned
 * (uvicorn workers, executor workers, task supervisors); stopping signals that group and every
 * descendant of the process (task runners and the Tidemark CLI and Spark JVMs they start), and
 * nothing else. A recorded pid is only signalled while its command line still mentions airflow
 * (Airflow rewrites its process title, so the venv path is not a reliable identity).
 */
final class AirflowProcess {
  private final String name;
  private final Path pidFile;
  private final Path logFile;

  AirflowProcess(String name, Path runDir, Path logDir) {
    this.name = name;
    this.pidFile = runDir.resolve(name + ".pid");
    this.logFile = logDir.resolve(name + ".log");
  }

  String name() {
    return name;
  }

  Path logFile() {
    return logFile;
  }

  Optional<ProcessHandle> running() {
    return DetachedProcess.running(pidFile, "airflow");
  }

  ProcessHandle start(List<String> command, Map<String, String> env, Path workDir) {
    try {
      return DetachedProcess.start(name, command, env, workDir, logFile, pidFile);
    } catch (IOException e) {
      throw new AirflowStackException("Cannot start Airflow " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops the process and everything it started: SIGTERM to its process group and to each of its
   * descendants, then, for whatever is still alive after {@code grace}, SIGKILL to the group and to
   * each process of the tree. Idempotent; removes the pid file.
   *
   * <p>Why more than the group: Airflow's task runners start the Tidemark CLI, which starts a Spark
   * or Flink JVM; a supervisor or a task may move itself to its own process group or session, and
   * a process that outlives its parent is re-parented away from the tree. The tree is therefore
   * collected before the first signal and again while waiting, so a task started during shutdown,
   * and a grandchild whose parent already exited, are stopped too.
   *
   * @return whether anything had to be killed with SIGKILL
   */
  boolean stop(Duration grace) {
    Optional<ProcessHandle> p = running();
    boolean killed = false;
    if (p.isPresent()) {
      ProcessHandle leader = p.get();
      Set<ProcessHandle> tree = new LinkedHashSet<>();
      tree.add(leader);
      collectDescendants(tree);
      signalGroup(leader.pid(), "TERM");
      tree.forEach(ProcessHandle::destroy);
      if (!awaitTreeExit(tree, grace)) {
        killed = true;
        signalGroup(leader.pid(), "KILL");
        collectDescendants(tree);
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!awaitTreeExit(tree, Duration.ofSeconds(10))) {
          throw new AirflowStackException("Cannot stop Airflow " + name + ": processes " + alive(tree)
              + " survived SIGKILL");
        }
      }
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new AirflowStackException("Cannot delete " + pidFile + ": " + e.getMessage(), e);
    }
    return killed;
  }

  /** Adds the current descendants of every live member of {@code tree}. */
  private static void collectDescendants(Set<ProcessHandle> tree) {
    for (ProcessHandle member : List.copyOf(tree)) {
      if (isRunning(member)) {
        member.descendants().forEach(tree::add);
      }
    }
  }

  private static List<Long> alive(Set<ProcessHandle> tree) {
    return tree.stream().filter(AirflowProcess::isRunning).map(ProcessHandle::pid).toList();
  }

  /** Alive and not a zombie (an exited process its parent has not reaped yet counts as stopped). */
  static boolean isRunning(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.US_ASCII);
      int end = stat.lastIndexOf(')');
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return p.isAlive();
    }
  }

  /** Waits until every process of the tree (including ones it starts meanwhile) has exited. */
  private static boolean awaitTreeExit(Set<ProcessHandle> tree, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      collectDescendants(tree);
      if (alive(tree).isEmpty()) {
        return true;
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return alive(tree).isEmpty();
      }
    }
  }

  private static void signalGroup(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        ProcessHandle.of(pid).ifPresent(signal.equals("KILL") ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
      }
    } catch (IOException e) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code n} lines of the log, for error messages. */
  String tail(int n) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(no log at " + logFile + ")";
    }
  }
}
