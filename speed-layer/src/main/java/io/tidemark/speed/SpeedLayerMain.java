package io.tidemark.speed;

import io.tidemark.core.cli.ExitCodes;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            "run (default): start the job, resuming from the newest completed checkpoint under --checkpoint-dir"
                + " (--fresh starts over); check: validate the configuration and the services, then exit;"
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
        OptionSpec.builder("--fresh").arity("0")
            .description("Start over without state, from --starting-offsets, even when checkpoints exist"
                + " (they are kept). Without it the job resumes from the newest completed checkpoint under"
                + " --checkpoint-dir, and fails naming the checkpoint if that cannot be restored.").build());
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
        out.println("speed-layer: a start now would be " + CheckpointRestore.decide(cfg).message());
        return 0;
      }
      if (!parsed.hasMatchedOption("--skip-preflight")) {
        Preflight.check(cfg);
      }
    } catch (ConfigException e) {
      err.println("speed-layer: " + e.getMessage());
      return 2;
    } catch (CheckpointRestore.UnrestorableCheckpointException e) {
      err.println("speed-layer: " + e.getMessage());
      return ExitCodes.REFUSED;
    }
    CheckpointRestore.Decision restore;
    try {
      Optional<String> flinkCli = flinkCliRestorePath();
      restore = flinkCli.isPresent()
          ? new CheckpointRestore.Decision(flinkCli, "restoring from " + flinkCli.get() + " (flink run -s)")
          : CheckpointRestore.decide(cfg);
    } catch (CheckpointRestore.UnrestorableCheckpointException e) {
      err.println("speed-layer: " + e.getMessage());
      return ExitCodes.REFUSED;
    }
    out.println("speed-layer: " + restore.message());
    out.flush();
    StreamExecutionEnvironment flink = environment(cfg, new Configuration(), restore.path());
    try {
      SpeedLayerJob.fromConfig(cfg).execute(flink);
    } catch (Exception e) {
      if (restore.path().isPresent() && isRestoreFailure(e)) {
        err.println("speed-layer: " + CheckpointRestore.unrestorable(restore.path().get(),
            "Flink refused its state (" + restoreFailureMessage(e) + ")").getMessage());
        return ExitCodes.REFUSED;
      }
      throw e;
    }
    return 0;
  }

  /**
   * The path of Flink's own {@code flink run -s PATH} when Flink's CLI started this program with
   * one: it wins over {@code tidemark.speed.restore-from}, as an operator who passes it expects.
   */
  static Optional<String> flinkCliRestorePath() {
    StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
    if (probe instanceof LocalStreamEnvironment) {
      return Optional.empty();
    }
    return probe.getConfiguration().getOptional(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH);
  }

  /** Flink's refusal of a restore path at submission (state that maps to no operator, a corrupt file). */
  static boolean isRestoreFailure(Throwable e) {
    return restoreFailure(e) != null;
  }

  private static Throwable restoreFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("rollback to checkpoint/savepoint") || m.contains("Cannot map checkpoint/savepoint state")
          || m.contains("loading checkpoint metadata") || m.contains("Failed to load checkpoint")) {
        return t;
      }
    }
    return null;
  }

  private static String restoreFailureMessage(Throwable e) {
    Throwable t = restoreFailure(e);
    String m = t == null ? String.valueOf(e.getMessage()) : String.valueOf(t.getMessage());
    return m.replaceAll("\\s+", " ").strip();
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
    if (parsed.hasMatchedOption("--fresh")) {
      String explicit = overrides.get(SpeedOptions.RESTORE_FROM.key());
      if (explicit != null && !explicit.trim().equals(CheckpointRestore.NONE)) {
        throw new ConfigException("--fresh and " + optionName(SpeedOptions.RESTORE_FROM) + " " + explicit
            + " contradict each other: pass one of them");
      }
      overrides.put(SpeedOptions.RESTORE_FROM.key(), CheckpointRestore.NONE);
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

  /**
   * The cluster of {@code flink run} when started by Flink's CLI, else a local MiniCluster with web
   * UI; Flink settings of the caller's on top (the benchmark's). Starts without state.
   */
  public static StreamExecutionEnvironment environment(TidemarkConfig cfg, Configuration extra) {
    return environment(cfg, extra, Optional.empty());
  }

  /** As {@link #environment(TidemarkConfig, Configuration)}, restoring from {@code restorePath} when given. */
  static StreamExecutionEnvironment environment(TidemarkConfig cfg, Configuration extra, Optional<String> restorePath) {
    Configuration conf = SpeedLayerJob.flinkConfiguration(cfg);
    conf.addAll(extra);
    restorePath.ifPresent(p -> conf.setString("execution.state-recovery.path", p));
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

  /** The newest completed {@code <job-id>/chk-<n>} checkpoint under a local directory, if any. */
  public static Optional<Path> latestCheckpoint(Path checkpointDir) {
    List<org.apache.flink.core.fs.Path> all =
        CheckpointRestore.completedCheckpoints(checkpointDir.toAbsolutePath().toUri().toString());
    return all.isEmpty() ? Optional.empty() : Optional.of(Path.of(all.get(all.size() - 1).toUri()));
  }
}
