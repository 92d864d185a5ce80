package io.tidemark.lake;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.StackOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the lake's own JVM: {@code java -cp <lake/target/classpath.txt>
 * io.tidemark.lake.LakeMain <command>}, started by {@code ./tidemark lake ...}.
 *
 * <p>Exit codes ({@link io.tidemark.core.cli.ExitCodes}): 0 success, 1 a service failed (a retry
 * may help, so the maintenance DAG retries it) or {@code verify} found problems, 2 usage or
 * configuration error.
 */
@Command(
    name = "lake",
    mixinStandardHelpOptions = true,
    description = "Archive of every raw page-view event in the Iceberg table lake.pageview_events.",
    subcommands = {
      io.tidemark.lake.cli.RunCommand.class,
      io.tidemark.lake.cli.StatusCommand.class,
      io.tidemark.lake.cli.AwaitCommand.class,
      io.tidemark.lake.cli.VerifyCommand.class,
      io.tidemark.lake.cli.ImportCommand.class,
      io.tidemark.lake.cli.MaintainCommand.class,
      io.tidemark.lake.cli.ConnectorConfigCommand.class,
      io.tidemark.lake.cli.BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LakeMain implements Runnable {

  @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, description = "Properties file (else TIDEMARK_CONFIG, else defaults and environment).")
  Path configFile;

  @Option(names = "-D", scope = CommandLine.ScopeType.INHERIT, mapFallbackValue = "", description = "Set a configuration key, e.g. -Dtidemark.lake.commit-interval=5s.")
  Map<String, String> overrides = new HashMap<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Every option this JVM knows and validates. */
  public static List<ConfigOption<?>> knownOptions() {
    List<ConfigOption<?>> all = new ArrayList<>();
    all.addAll(KafkaOptions.all());
    all.addAll(LakeOptions.all());
    all.addAll(StackOptions.all());
    all.addAll(LakeArchiveOptions.all());
    all.addAll(io.tidemark.core.config.SchemaRegistryOptions.all());
    return all;
  }

  /** The validated configuration with endpoints resolved. */
  public TidemarkConfig config() {
    Collection<ConfigOption<?>> known = knownOptions();
    TidemarkConfig cfg = TidemarkConfig.load(configFile, System.getenv(), overrides, known).validate(known);
    return Endpoints.resolve(cfg);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LakeMain());
    // the worker's settings are keys, not options: list them where a user looks (run, connector-config)
    for (String name : java.util.List.of("run", "connector-config")) {
      CommandLine sub = cl.getSubcommands().get(name);
      sub.getCommandSpec().usageMessage().footer(io.tidemark.core.cli.SettingsHelp.prepend(
          LakeArchiveOptions.all(), sub.getCommandSpec().usageMessage().footer()));
    }
    cl.setExecutionExceptionHandler(
        (ex, line, parse) -> {
          line.getErr().println("lake " + line.getCommandName() + ": " + ex.getMessage());
          return ex instanceof io.tidemark.core.config.ConfigException || ex instanceof io.tidemark.lake.cli.UnusableInputException
              ? io.tidemark.core.cli.ExitCodes.USAGE
              : io.tidemark.core.cli.ExitCodes.FAILED;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
