package io.tidemark.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.job.BatchResult;
import io.tidemark.batch.spark.LakeSpark;
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
 * <p>Exit codes: 0 done, 1 the run failed (message on stderr), 2 bad usage.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
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

  @Command(name = "run", mixinStandardHelpOptions = true,
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
            + " wrote %d %s rows and %d %s rows in %.1f s",
        r.runId(), r.day(), r.lakeSnapshotId(), r.records(), r.validRecords(), r.invalidRecords(),
        r.duplicates(), r.distinctEvents(), r.tooLateEvents(), r.notStreamedEvents(),
        r.rows().getOrDefault(CountMetric.USER, 0L), CountMetric.USER.servingTable(),
        r.rows().getOrDefault(CountMetric.PAGE, 0L), CountMetric.PAGE.servingTable(),
        (r.finishedAt().toEpochMilli() - r.startedAt().toEpochMilli()) / 1000.0);
  }

  public static String toJson(Object value) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a picocli command with Tidemark's error handling: one line on stderr, exit 1. */
  public static int execute(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof BatchException || e instanceof ConfigException) {
        line.getErr().println("error: " + e.getMessage());
      } else {
        line.getErr().println("error: " + e);
        e.printStackTrace(line.getErr());
      }
      return 1;
    });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(new BatchMain(), args));
  }
}
