package io.tidemark.core.config;

import java.util.Set;
import java.util.TreeSet;

/**
 * Every component that may own {@code tidemark.<component>.*} keys.
 *
 * <p>One process (the CLI, the Flink job, the Spark job, the Connect worker) only knows the option
 * classes on its own classpath, yet all of them read the same properties file and environment.
 * Each process validates the components it knows; this list lets it still reject a key whose
 * component does not exist at all ({@code tidemark.spead.x}).
 */
public final class ConfigComponents {
  private ConfigComponents() {}

  public static final Set<String> ALL =
      new TreeSet<>(Set.of(
          "kafka", "clickhouse", "s3", "catalog", "stack", "generator", "speed", "lake",
          "batch", "reconcile", "orchestration", "serving", "bench", "schema-registry"));
}
