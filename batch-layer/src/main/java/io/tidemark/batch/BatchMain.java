package io.tidemark.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.job.BatchResult;
import io.tidemark.batch.spark.LakeSpark;
import io.tidemark.core.cli.ExitCodes;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark batch ...}: the batch layer's command line, run in its own JVM from {@code
 * batch-layer/target/classpath.txt} by the CLI or with {@code spark-submit --class
 * io.tidemark.batch.BatchMain}. Configuration comes from {@code TIDEMARK_CONFIG} (a properties
 * file) and {@code TIDEMARK_*} environment variables.
 *
 * <p>Exit codes ({@link ExitCodes}): 0 done; 1 failed, a retry may help; 2 bad usage or
 * configuration; 3 refused, retrying cannot help (no record of the day in the lake). Every failure
 * prints one line starting with {@code error: } on stderr, which the Airflow tasks report.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
    description = "Recompute authoritative counts from the lake with Spark.",
    subcommands = {BatchMain.RunCommand.class})
public final class BatchMain implements Callable<Integer> {

  /** Every option this process reads (and so validates). */
  public static List<ConfigOption<?>> knownOptions() {
    List<ConfigOption<?>> all = new ArrayList<>(LakeOptions.all());
    all.addAll(BatchOptions.all());
    return all;
  }

  /** The process's configuration, validated against {@code options}. */
  public static TidemarkConfig loadConfig(List<ConfigOption<?>> options) {
    return TidemarkConfig.load(null, System.getenv(), Map.of(), options).validate(options);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  @Command(name = "run", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
      description = "Recompute one UTC day and replace it in the Iceberg count tables.")
  static final class RunCommand implements Callable<Integer> {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "UTC day to recompute.")
    LocalDate date;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      TidemarkConfig cfg = loadConfig(knownOptions());
      SparkSession spark = LakeSpark.session(cfg);
      try {
        BatchResult r = BatchJob.create(spark, cfg).run(date);
        System.out.println(json ? toJson(r.toMap()) : describe(r));
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  /** One-paragraph summary of a run. */
  public static String describe(BatchResult r) {
    return String.format(java.util.Locale.ROOT,
        "Batch %s for %s from lake snapshot %d: %d records (%d valid, %d invalid, %d duplicates),"
            + " %d events counted (%d too late for the speed layer, %d not streamed);"
            + " wrote %d %s rows and %d %s rows in %.1f s%s",
        r.runId(), r.day(), r.lakeSnapshotId(), r.records(), r.validRecords(), r.invalidRecords(),
        r.duplicates(), r.distinctEvents(), r.tooLateEvents(), r.notStreamedEvents(),
        r.rows().getOrDefault(CountMetric.USER, 0L), CountMetric.USER.servingTable(),
        r.rows().getOrDefault(CountMetric.PAGE, 0L), CountMetric.PAGE.servingTable(),
        (r.finishedAt().toEpochMilli() - r.startedAt().toEpochMilli()) / 1000.0,
        r.stepSeconds().isEmpty() ? "" : " (" + io.tidemark.batch.job.StepTimer.describe(r.stepSeconds()) + ")");
  }

  public static String toJson(Object value) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs a picocli command with Tidemark's error handling: one line {@code error: ...} on stderr
   * (plus the stack trace of an unexpected exception) and the exit code of {@link #exitCode}; bad
   * arguments print {@code error: ...} and where the usage is, exit code 2.
   */
  public static int execute(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof BatchException || e instanceof ConfigException) {
        line.getErr().println("error: " + e.getMessage());
      } else {
        line.getErr().println("error: " + e);
        e.printStackTrace(line.getErr());
      }
      return exitCode(e);
    });
    cl.setParameterExceptionHandler((e, a) -> badArguments(e, e.getCommandLine().getCommandSpec().qualifiedName(" ")));
    return cl.execute(args);
  }

  /**
   * The exit code of a failed run ({@link ExitCodes}): 2 for bad configuration, 3 for a {@link
   * BatchException} that is not retryable, else 1 (an exception nobody classified may be transient).
   */
  public static int exitCode(Throwable e) {
    if (e instanceof ConfigException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof BatchException b) {
      return ExitCodes.of(b.isRetryable());
    }
    return ExitCodes.FAILED;
  }

  /**
   * A bad argument (unknown option, malformed date): picocli's message as one {@code error: } line,
   * then where the usage is ({@code ./tidemark <command> --help}), exit code 2; the Airflow task
   * reports the first line.
   */
  public static int badArguments(CommandLine.ParameterException e, String command) {
    CommandLine c = e.getCommandLine();
    c.getErr().println("error: " + e.getMessage());
    c.getErr().println("Run './tidemark " + command + " --help' for usage.");
    c.getErr().flush();
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    System.exit(execute(new BatchMain(), args));
  }
}
