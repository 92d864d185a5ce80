package io.tidemark.cli;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.ServingOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.StackOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command accepts: where configuration comes from. Mixed into each command so
 * {@code ./tidemark produce --config prod.properties} works as well as before the subcommand.
 */
public final class GlobalOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file with tidemark.* keys (default: $TIDEMARK_CONFIG).")
  Path configFile;

  @Option(names = {"-D", "--define"}, paramLabel = "KEY=VALUE",
      description = "Set one configuration key, e.g. -D tidemark.kafka.partitions=8 (see ./tidemark config).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  /**
   * Every option the CLI process itself reads, for validation, env mapping and docs; the serving
   * layer's keys too, since the CLI validates them and prints the dashboard's URL (docs/configuration.md's
   * table leaves them to docs/serving.md: {@link #sharedOptions()}).
   */
  public static List<ConfigOption<?>> knownOptions() {
    List<ConfigOption<?>> all = new ArrayList<>();
    all.addAll(KafkaOptions.all());
    all.addAll(ClickHouseOptions.all());
    all.addAll(LakeOptions.all());
    all.addAll(io.tidemark.core.config.SchemaRegistryOptions.all());
    all.addAll(io.tidemark.core.config.JvmOptions.all());
    all.addAll(StackOptions.all());
    all.addAll(ProduceCommand.options());
    all.addAll(ServingOptions.all());
    return all;
  }

  /**
   * The options of docs/configuration.md's table: {@link #knownOptions()} without the serving
   * layer's, which docs/serving.md lists (both tables are generated from the same declarations).
   */
  public static List<ConfigOption<?>> sharedOptions() {
    List<ConfigOption<?>> all = new ArrayList<>(knownOptions());
    all.removeAll(ServingOptions.all());
    return all;
  }

  /** The configuration as given: file, environment, overrides; validated. */
  public TidemarkConfig load() {
    return TidemarkConfig.load(configFile, System.getenv(), overrides, knownOptions())
        .validate(knownOptions());
  }

  /** The configuration with every endpoint not given explicitly pointed at the local stack. */
  public TidemarkConfig resolved() {
    return Endpoints.resolve(load());
  }
}
