package io.tidemark.core.config;

import java.util.List;

/**
 * JVM options of the layer processes that {@code ./tidemark} starts.
 *
 * <p>Declared in core because two processes read them: the CLI, which starts the layer's JVM with
 * them, and the layer's benchmark, which starts its measured job the same way so that the memory
 * and GC figures it reports are those of what users run.
 */
public final class JvmOptions {
  private JvmOptions() {}

  public static final ConfigOption<String> SPEED_LAYER =
      ConfigOption.stringKey("tidemark.speed.jvm-options")
          .defaultValue("-Xmx1536m -XX:+UseParallelGC")
          .description("JVM options of the speed-layer process that ./tidemark speed run starts (Flink MiniCluster);"
              + " heap and collector chosen with ./tidemark bench speed (docs/speed-layer.md). On a Flink cluster"
              + " set env.java.opts.taskmanager instead.");

  public static List<ConfigOption<?>> all() {
    return List.of(SPEED_LAYER);
  }

  /** The options as separate arguments (split on whitespace; none when blank). */
  public static List<String> split(String options) {
    String s = options == null ? "" : options.strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
  }
}
