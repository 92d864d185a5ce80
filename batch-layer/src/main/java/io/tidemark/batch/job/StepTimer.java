package io.tidemark.batch.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall-clock seconds of the named steps of one run, in the order they ran, so that the batch job,
 * reconcile and {@code bench batch} can say where a night's time goes ({@code step_seconds} in
 * their {@code --json} output, one log line per step). A step that runs twice (once per metric, say)
 * adds up under its name. Not thread-safe: one timer per run.
 */
public final class StepTimer {
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  /** Runs {@code step} and adds its duration under {@code name}. */
  public <T> T time(String name, Supplier<T> step) {
    long start = System.nanoTime();
    try {
      return step.get();
    } finally {
      add(name, (System.nanoTime() - start) / 1e9);
    }
  }

  /** Runs {@code step} and adds its duration under {@code name}. */
  public void run(String name, Runnable step) {
    time(name, () -> {
      step.run();
      return null;
    });
  }

  /** Adds {@code s} seconds under {@code name}. */
  public void add(String name, double s) {
    seconds.merge(name, s, Double::sum);
  }

  /** The steps so far, in first-run order (an unmodifiable copy). */
  public Map<String, Double> seconds() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
  }

  /** One line: {@code name 1.2 s, name 0.4 s}. */
  public static String describe(Map<String, Double> steps) {
    StringBuilder b = new StringBuilder();
    steps.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f s", k, v)));
    return b.toString();
  }
}
