package io.tidemark.reconcile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reconcile command line held at one step boundary, for the crash tests: run as a child JVM
 * (test classes on its classpath) with {@code -Dtidemark.test.pause-at=<step>} (a {@link
 * Reconciler.Checkpoint} step) and {@code -Dtidemark.test.pause-file=<path>}. At that step it
 * writes the step's name to the file (a signal the test polls for, not a log line) and sleeps until
 * killed. Lives in the test sources so that no production run can be paused: {@link ReconcileMain}
 * itself has no checkpoint.
 */
public final class PausingReconcileMain {
  private PausingReconcileMain() {}

  public static void main(String[] args) {
    String at = System.getProperty("tidemark.test.pause-at");
    Path file = Path.of(System.getProperty("tidemark.test.pause-file"));
    ReconcileMain.checkpoint = step -> {
      if (step.equals(at)) {
        try {
          Files.writeString(file, step);
          Thread.sleep(Long.MAX_VALUE);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    System.exit(ReconcileMain.execute(args));
  }
}
