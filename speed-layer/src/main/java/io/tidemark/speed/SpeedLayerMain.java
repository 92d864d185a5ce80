package io.tidemark.speed;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the speed layer, for {@code ./tidemark speed run} (a child JVM on {@code
 * speed-layer/target/classpath.txt}) and for {@code flink run speed-layer/target/tidemark-speed-layer-*.jar}.
 *
 * <p>Configuration: defaults, then {@code --config FILE} (or {@code TIDEMARK_CONFIG}), then {@code
 * TIDEMARK_*} environment variables, then {@code -Dkey=value} and the options below (one per key of
 * {@link SpeedOptions}, generated from the declarations). Runs on a local MiniCluster with the web
 * UI and a Prometheus endpoint, unless started by Flink's CLI, which supplies the cluster.
 */
public final class SpeedLayerMain {
  static final String PREFIX = "tidemark.speed.";

  private SpeedLayerMain() {}

  public static void main(String[] args) throws Exception {
    int rc = run(args, System.getenv(), System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /** The option name of a key: {@code tidemark.speed.sink.batch-size} is {@code --sink-batch-size}. */
  static String optionName(ConfigOption<?> option) {
    return "--" + option.key().substring(PREFIX.length()).replace('.', '-');
  }

  static CommandSpec commandSpec() {
    CommandSpec spec = CommandSpec.create().name("speed-layer [run|check|bench]");
    spec.usageMessage()
        .description(
            "run (default): start the job; check: validate the configuration and the services, then exit;"
                + " bench: the speed-layer benchmark ('bench --help').",
            "Runs the Tidemark speed layer: Kafka page views -> validated, deduplicated 1-minute counts"
                + " per user and per page in ClickHouse; invalid records to the dead-letter topic, events"
                + " later than the allowed lateness to the late topic.")
        .footer(io.tidemark.core.cli.SettingsHelp.prepend(io.tidemark.core.config.JvmOptions.all(), new String[] {
            "(read by ./tidemark, which starts this JVM)",
            "",
            "Every option is also a configuration key tidemark.speed.<name> (env TIDEMARK_SPEED_<NAME>).",
            "Kafka and ClickHouse come from tidemark.kafka.* and tidemark.clickhouse.* (or the local stack)."}));
    spec.mixinStandardHelpOptions(true);
    spec.addOption(
        OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
            .description("Properties file with tidemark.* keys (default: TIDEMARK_CONFIG).").build());
    spec.addOption(
        OptionSpec.builder("-D").paramLabel("KEY=VALUE").type(Map.class).auxiliaryTypes(String.class, String.class)
            .description("Sets any tidemark.* key.").build());
    spec.addOption(
        OptionSpec.builder("--check").arity("0")
            .description("Validate the configuration and check Kafka and ClickHouse, then exit.").build());
    spec.addOption(
        OptionSpec.builder("--skip-preflight").arity("0")
            .description("Do not check Kafka and ClickHouse before starting.").build());
    for (ConfigOption<?> o : SpeedOptions.all()) {
      String def = o.hasDefault() ? " (default: " + o.format(o.defaultValue()) + ")" : "";
      spec.addOption(
          OptionSpec.builder(optionName(o)).paramLabel(o.type().getSimpleName().toUpperCase(java.util.Locale.ROOT))
              .type(String.class)
              .description(o.description() + def).build());
    }
    return spec;
  }

  /** Runs the command; returns the process exit code. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
    // An optional first word: run (the default), check, bench.
    if (args.length > 0 && args[0].equals("run")) {
      args = java.util.Arrays.copyOfRange(args, 1, args.length);
    } else if (args.length > 0 && args[0].equals("check")) {
      String[] rest = new String[args.length];
      System.arraycopy(args, 1, rest, 0, args.length - 1);
      rest[args.length - 1] = "--check";
      args = rest;
    } else if (args.length > 0 && args[0].equals("bench")) {
      return io.tidemark.speed.bench.SpeedBenchmark.run(
          java.util.Arrays.copyOfRange(args, 1, args.length), env, out, err);
    }
    CommandSpec spec = commandSpec();
    CommandLine cl = new CommandLine(spec);
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("speed-layer: " + e.getMessage());
      return 2;
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return 0;
    }
    TidemarkConfig cfg;
    try {
      cfg = configure(parsed, env);
      if (parsed.hasMatchedOption("--check")) {
        Preflight.check(cfg);
        out.println("speed-layer: configuration OK; Kafka and ClickHouse reachable, topics and tables present");
        return 0;
      }
      if (!parsed.hasMatchedOption("--skip-preflight")) {
        Preflight.check(cfg);
      }
    } catch (ConfigException e) {
      err.println("speed-layer: " + e.getMessage());
      return 2;
    }
    StreamExecutionEnvironment flink = environment(cfg);
    SpeedLayerJob.fromConfig(cfg).execute(flink);
    return 0;
  }

  /** Resolves, validates and completes the configuration of a parsed command line. */
  static TidemarkConfig configure(ParseResult parsed, Map<String, String> env) {
    Map<String, String> overrides = new LinkedHashMap<>();
    Map<String, String> d = parsed.matchedOptionValue("-D", Map.of());
    overrides.putAll(d);
    for (ConfigOption<?> o : SpeedOptions.all()) {
      if (parsed.hasMatchedOption(optionName(o))) {
        overrides.put(o.key(), parsed.matchedOptionValue(optionName(o), ""));
      }
    }
    List<ConfigOption<?>> known = new ArrayList<>(SpeedOptions.known());
    known.addAll(StackOptions.all());
    TidemarkConfig cfg = TidemarkConfig.load(parsed.matchedOptionValue("--config", null), env, overrides, known);
    validateOwnKeys(cfg, known);
    SpeedOptions.validate(cfg);
    TidemarkConfig resolved = Endpoints.resolve(cfg);
    if (!resolved.isSet(SpeedOptions.CHECKPOINT_DIR)) {
      resolved =
          resolved.with(
              SpeedOptions.CHECKPOINT_DIR,
              StackOptions.home(resolved).resolve("speed-layer").resolve("checkpoints").toString());
    }
    return resolved;
  }

  /**
   * Unknown keys in the speed layer's, Kafka's and ClickHouse's namespaces fail; keys of other
   * components (a shared properties file may hold tidemark.batch.*, say) are not ours to judge.
   */
  static void validateOwnKeys(TidemarkConfig cfg, List<ConfigOption<?>> known) {
    Map<String, String> own = new LinkedHashMap<>();
    cfg.explicitValues().forEach(
        (k, v) -> {
          if (k.startsWith(PREFIX) || k.startsWith("tidemark.kafka.") || k.startsWith("tidemark.clickhouse.")) {
            own.put(k, v);
          }
        });
    TidemarkConfig.of(own).validate(known);
  }

  /** The cluster of {@code flink run} when started by Flink's CLI, else a local MiniCluster with web UI. */
  static StreamExecutionEnvironment environment(TidemarkConfig cfg) {
    return environment(cfg, new Configuration());
  }

  /** As {@link #environment(TidemarkConfig)}, with Flink settings of the caller's on top (the benchmark's). */
  public static StreamExecutionEnvironment environment(TidemarkConfig cfg, Configuration extra) {
    Configuration conf = SpeedLayerJob.flinkConfiguration(cfg);
    conf.addAll(extra);
    restorePath(cfg).ifPresent(p -> conf.setString("execution.state-recovery.path", p));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    if (!(env instanceof LocalStreamEnvironment)) {
      return env;
    }
    conf.setString("rest.port", String.valueOf(cfg.get(SpeedOptions.WEB_UI_PORT)));
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(cfg.get(SpeedOptions.PARALLELISM)));
    if (cfg.get(SpeedOptions.METRICS_PORT) >= 0) {
      conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      conf.setString("metrics.reporter.prom.port", String.valueOf(cfg.get(SpeedOptions.METRICS_PORT)));
    }
    return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
  }

  /** {@code restore-from}: a path, or {@code latest} for the newest checkpoint under checkpoint-dir. */
  static Optional<String> restorePath(TidemarkConfig cfg) {
    if (!cfg.isSet(SpeedOptions.RESTORE_FROM)) {
      return Optional.empty();
    }
    String v = cfg.get(SpeedOptions.RESTORE_FROM).trim();
    if (!v.equals("latest")) {
      return Optional.of(v);
    }
    java.net.URI dir = java.net.URI.create(SpeedLayerJob.checkpointUri(cfg.require(SpeedOptions.CHECKPOINT_DIR)));
    if (!"file".equals(dir.getScheme())) {
      throw new ConfigException(
          SpeedOptions.RESTORE_FROM.key() + "=latest needs a local " + SpeedOptions.CHECKPOINT_DIR.key()
              + "; for " + dir + " pass the checkpoint path itself");
    }
    Optional<Path> latest = latestCheckpoint(Path.of(dir));
    if (latest.isEmpty()) {
      // Nothing was checkpointed, so no offset was committed either: a fresh start reads the same
      // records again and rewrites the same windows with a newer version (idempotent).
      org.slf4j.LoggerFactory.getLogger(SpeedLayerMain.class)
          .warn("No completed checkpoint under {}: starting without state", cfg.get(SpeedOptions.CHECKPOINT_DIR));
      return Optional.empty();
    }
    org.slf4j.LoggerFactory.getLogger(SpeedLayerMain.class).info("Restoring from checkpoint {}", latest.get());
    return Optional.of(latest.get().toUri().toString());
  }

  /** The newest {@code <job-id>/chk-<n>} directory holding a {@code _metadata} file, if any. */
  public static Optional<Path> latestCheckpoint(Path checkpointDir) {
    if (!Files.isDirectory(checkpointDir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.find(checkpointDir, 3, (p, a) -> p.getFileName().toString().equals("_metadata")
        && p.getParent().getFileName().toString().startsWith("chk-"))) {
      return files
          .max(Comparator.comparing(SpeedLayerMain::modified))
          .map(Path::getParent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0L;
    }
  }
}
