package io.tidemark.lake.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.connect.ConnectWorker;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code lake run}: the archive's Kafka Connect worker, in the foreground until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Start a Kafka Connect standalone worker that archives the events topic into the Iceberg table.",
      "Creates the table, the control topic and the coordinator's offsets when missing (idempotent).",
      "Runs until interrupted (Ctrl-C stops the worker gracefully); killing it loses nothing.",
      "Started again after a kill -9, it resumes from the committed offsets (a worker the killed run",
      "left running is stopped and replaced); exits 1 when its worker dies."
    })
public final class RunCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Override
  public Integer call() throws Exception {
    TidemarkConfig cfg = parent.config();
    ConnectWorker worker = ConnectWorker.builder().config(cfg).build();
    Process p = worker.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        worker.stop(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    System.out.printf("Kafka Connect worker running (pid %d); log %s; Ctrl-C to stop%n", p.pid(), worker.logFile());
    int rc = p.waitFor();
    System.out.printf("Kafka Connect worker exited with %d; see %s%n", rc, worker.logFile());
    // a worker that died (e.g. killed) is a failure a plain restart repairs: 1, as any retryable one
    return rc == 0 ? 0 : io.tidemark.core.cli.ExitCodes.FAILED;
  }
}
