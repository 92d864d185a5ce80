package io.tidemark.orchestration.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One detached Airflow process (api-server, scheduler or dag-processor), known across JVMs only by
 * its pid file.
 *
 * <p>It runs in its own session ({@code setsid}), so its process group holds exactly what it
 * spawned (uvicorn workers, executor workers, task supervisors): stopping signals that group and
 * nothing else. A recorded pid is only signalled while its command line still mentions airflow
 * (Airflow rewrites its process title, so the venv path is not a reliable identity).
 */
final class AirflowProcess {
  private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

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
    try {
      String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      return ProcessHandle.of(Long.parseLong(text)).filter(ProcessHandle::isAlive).filter(AirflowProcess::isAirflow);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isAirflow(ProcessHandle p) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains("airflow");
      }
    } catch (IOException e) {
      // fall through
    }
    return p.info().commandLine().map(c -> c.contains("airflow")).orElse(true);
  }

  ProcessHandle start(List<String> command, Map<String, String> env, Path workDir) {
    List<String> full = new ArrayList<>();
    SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> full.add(p.toString()));
    full.addAll(command);
    try {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(pidFile.getParent());
      Files.writeString(logFile, "=== " + Instant.now() + " starting " + name + System.lineSeparator(),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(full).directory(workDir.toFile());
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      Process process = pb.start();
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(process.pid()), StandardCharsets.US_ASCII);
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return process.toHandle();
    } catch (IOException e) {
      throw new AirflowStackException("Cannot start Airflow " + name + ": " + e.getMessage(), e);
    }
  }

  /** SIGTERM to the process group, SIGKILL after {@code grace}. Idempotent; removes the pid file. */
  boolean stop(Duration grace) {
    Optional<ProcessHandle> p = running();
    boolean killed = false;
    if (p.isPresent()) {
      ProcessHandle h = p.get();
      List<ProcessHandle> tree = new ArrayList<>(h.descendants().toList());
      signalGroup(h.pid(), "TERM");
      if (!awaitExit(h, grace)) {
        signalGroup(h.pid(), "KILL");
        h.destroyForcibly();
        awaitExit(h, Duration.ofSeconds(10));
        killed = true;
      }
      for (ProcessHandle child : tree) { // anything that left the group (rare) but is ours
        if (child.isAlive()) {
          child.destroyForcibly();
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

  private static boolean awaitExit(ProcessHandle h, Duration timeout) {
    try {
      h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      return !h.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !h.isAlive();
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
