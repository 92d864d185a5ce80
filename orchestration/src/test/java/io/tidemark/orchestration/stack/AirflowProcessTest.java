package io.tidemark.orchestration.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping a detached process stops everything it started, also what left its process group or
 * ignores SIGTERM, as Airflow's task runners and the CLI JVMs they start may. Real processes, no
 * Airflow: a stand-in script whose command line mentions airflow.
 */
class AirflowProcessTest {
  @TempDir Path tmp;

  private final List<Long> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    for (long pid : started) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void stopEndsTheWholeTreeIncludingOtherSessionsAndProcessesIgnoringSigterm() throws Exception {
    Path pids = tmp.resolve("pids");
    Path script = tmp.resolve("fake-airflow-scheduler");
    Files.writeString(script, """
        #!/usr/bin/env bash
        # A task runner in its own session (as a supervisor may put it), with a child ignoring SIGTERM.
        setsid bash -c 'trap "" TERM; sleep 300 & echo $! >> "$1"; wait' _ '%1$s' &
        bash -c 'trap "" TERM; sleep 300 & echo $! >> "$1"; wait' _ '%1$s' &
        sleep 300 &
        echo $! >> '%1$s'
        wait
        """.formatted(pids));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    AirflowProcess process = new AirflowProcess("scheduler", tmp.resolve("run"), tmp.resolve("logs"));

    ProcessHandle leader = process.start(List.of(script.toString()), Map.of(), tmp);
    started.add(leader.pid());
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(pids)
        && Files.readAllLines(pids, StandardCharsets.US_ASCII).size() == 3);
    List<ProcessHandle> tree = new ArrayList<>(leader.descendants().toList());
    tree.forEach(p -> started.add(p.pid()));
    List<ProcessHandle> sleeps = readPids(pids);
    assertThat(tree).containsAll(sleeps);
    assertThat(process.running()).contains(leader);

    boolean killed = process.stop(Duration.ofSeconds(2));

    assertThat(killed).as("processes ignoring SIGTERM needed SIGKILL").isTrue();
    assertThat(leader.isAlive()).isFalse();
    assertThat(tree).noneMatch(AirflowProcess::isRunning);
    assertThat(process.running()).isEmpty();
    assertThat(tmp.resolve("run/scheduler.pid")).doesNotExist();
    assertThat(process.stop(Duration.ofSeconds(2))).as("a second stop finds nothing").isFalse();
  }

  private static List<ProcessHandle> readPids(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
        .map(String::trim)
        .map(Long::parseLong)
        .map(ProcessHandle::of)
        .flatMap(java.util.Optional::stream)
        .toList();
  }
}
