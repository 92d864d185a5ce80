package io.tidemark.cli;

import io.tidemark.core.config.ConfigException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./tidemark}: every action a Tidemark user takes. Errors a user can fix are printed as one
 * line naming the fix (exit code 2); unexpected failures as one line plus, with {@code
 * --verbose}, the stack trace (exit code 1).
 */
@Command(
    name = "tidemark",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Page-view analytics on a Lambda architecture: Flink speed layer, Iceberg lake, "
        + "Spark batch reconciliation, ClickHouse serving.",
    subcommands = {
      StackCommand.class,
      MigrateCommand.class,
      SchemaCommand.class,
      ProduceCommand.class,
      DemoCommand.class,
      ChaosCommand.class,
      LayerCommands.Speed.class,
      LayerCommands.Lake.class,
      LayerCommands.Batch.class,
      LayerCommands.Reconcile.class,
      LayerCommands.Backfill.class,
      LayerCommands.Drift.class,
      LayerCommands.Days.class,
      LayerCommands.Serve.class,
      LayerCommands.Schedule.class,
      ConfigCommand.class,
      BenchCommand.class,
      LauncherCommands.Build.class,
      LauncherCommands.Test.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Run './tidemark <command> --help' for the options of a command."})
public final class TidemarkCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (used by tests, which must not exit the JVM). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, with Tidemark's error handling. */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new TidemarkCli());
    cmd.setExecutionExceptionHandler(TidemarkCli::handle);
    cmd.setParameterExceptionHandler(TidemarkCli::badArguments);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // Layer commands hand every argument they do not know (--date, --help...) to the layer's JVM.
    for (String layer : List.of("speed", "lake", "batch", "reconcile", "backfill", "drift", "days", "serve", "schedule")) {
      cmd.getSubcommands().get(layer).setUnmatchedOptionsArePositionalParams(true);
    }
    for (String bench : List.of("speed", "lake", "serve", "batch")) {
      cmd.getSubcommands().get("bench").getSubcommands().get(bench).setUnmatchedOptionsArePositionalParams(true);
    }
    return cmd;
  }

  /** A bad argument: one line saying what is wrong, one line saying where the usage is. */
  private static int badArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine c = e.getCommandLine();
    c.getErr().println("tidemark: " + e.getMessage());
    c.getErr().println("Run './" + c.getCommandSpec().qualifiedName(" ") + " --help' for usage.");
    c.getErr().flush();
    return 2;
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean verbose = parsed != null && parsed.hasMatchedOption("--verbose")
        || hasVerbose(parsed);
    if (e instanceof UserFacingException || e instanceof ConfigException
        || e instanceof IllegalArgumentException || isUserFacing(e)) {
      err.println("tidemark: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      return 2;
    }
    err.println("tidemark: " + e.getClass().getSimpleName() + ": " + e.getMessage()
        + (verbose ? "" : " (run with --verbose for details)"));
    if (verbose) {
      e.printStackTrace(err);
    }
    return 1;
  }

  private static boolean hasVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** Exceptions of the shared modules whose message is already a one-line fix for the user. */
  private static boolean isUserFacing(Exception e) {
    String name = e.getClass().getName();
    return name.equals("io.tidemark.stack.StackException")
        || name.startsWith("io.tidemark.schema.")
        || name.equals("io.tidemark.generator.GeneratorException");
  }
}
