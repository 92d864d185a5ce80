package io.tidemark.reconcile;

import io.tidemark.batch.BatchException;
import io.tidemark.batch.BatchMain;
import io.tidemark.batch.spark.LakeSpark;
import io.tidemark.core.cli.ExitCodes;
import io.tidemark.core.cli.SettingsHelp;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.reconcile.drift.Cause;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.KeyDiff;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.reconcile.lock.DayLock;
import io.tidemark.reconcile.store.DayStatus;
import io.tidemark.reconcile.store.ReportStore;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark reconcile | backfill | drift | days}: reconciliation's command line, run in its
 * own JVM from {@code reconcile/target/classpath.txt} (the batch layer's Spark classpath plus
 * ClickHouse access). {@code drift} and {@code days} only read ClickHouse and never start Spark.
 *
 * <p>Exit codes ({@link ExitCodes}): 0 done; 1 failed, a retry may help (ClickHouse or the
 * catalog unreachable, a staging check that did not add up); 2 bad usage or configuration; 3
 * refused, retrying cannot help (a day inside the lateness horizon without {@code --force}, no
 * record of the day in the lake, a reversed range, ClickHouse not migrated). Every failure prints
 * one line starting with {@code error: } on stderr, which the Airflow tasks report.
 */
@Command(name = "reconcile-tool", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
    description = "Reconcile ClickHouse with the batch layer, backfill days, list drift reports.",
    subcommands = {ReconcileMain.Reconcile.class, ReconcileMain.BackfillCommand.class,
        ReconcileMain.Drift.class, ReconcileMain.Days.class})
public final class ReconcileMain implements Callable<Integer> {

  /** Every option the reconcile tool reads (and so validates). */
  public static List<ConfigOption<?>> knownOptions() {
    List<ConfigOption<?>> all = new ArrayList<>(BatchMain.knownOptions());
    all.addAll(ClickHouseOptions.all());
    all.addAll(ReconcileOptions.all());
    return all;
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Shared plumbing: configuration, ClickHouse, Spark on demand. */
  abstract static class Base implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    TidemarkConfig cfg;

    ClickHouseSql clickHouse() {
      cfg = BatchMain.loadConfig(knownOptions());
      ClickHouseSql sql = ClickHouseClients.connect(cfg);
      long tables = sql.queryLong("SELECT count() AS n FROM system.tables WHERE database = {db:String}"
          + " AND name IN ('drift_reports', 'day_status', 'user_page_counts_staging', 'reconcile_locks')",
          Map.of("db", sql.database()));
      if (tables < 4) {
        sql.close();
        throw new ReconcileException("ClickHouse database " + sql.database() + " at " + sql.url()
            + " lacks reconciliation's tables: run ./tidemark migrate", false);
      }
      return sql;
    }
  }

  @Command(name = "reconcile", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
      description = "Compare ClickHouse with the batch counts of one UTC day; replace the day when it drifted.")
  static final class Reconcile extends Base {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "UTC day.")
    LocalDate date;

    @Option(names = "--dry-run", description = "Report only; change nothing in the count tables.")
    boolean dryRun;

    @Option(names = "--force", description = "Reconcile a day still inside the speed layer's lateness horizon.")
    boolean force;

    @Override
    public Integer call() {
      try (ClickHouseSql sql = clickHouse();
          // The day's lock before Spark starts: a second run of the day fails at once.
          DayLock lock = dryRun ? null : Reconciler.locks(sql, cfg).acquire(date)) {
        SparkSession spark = LakeSpark.session(cfg);
        try {
          Reconciler r = Reconciler.create(spark, sql, cfg).checkpoint(checkpoint);
          if (force && !dryRun && !r.isSettled(date)) {
            System.err.println("warning: " + date + " is still inside the speed layer's lateness horizon until "
                + r.settledAt(date) + "; replaced cells carry batch versions, so later speed-layer updates to them"
                + " stay hidden until the day is reconciled again");
          }
          DriftReport report = dryRun ? r.reconcile(date, true, force) : r.reconcile(date, force, lock);
          System.out.println(json ? BatchMain.toJson(report.toMap(r.top())) : describe(report, r.top()));
          return 0;
        } finally {
          spark.stop();
        }
      }
    }
  }

  @Command(name = "backfill", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
      description = "Batch + reconcile every day of a range; days reconciled with no new lake data are skipped.")
  static final class BackfillCommand extends Base {
    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD") LocalDate from;
    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD") LocalDate to;
    @Option(names = "--force", description = "Include days still inside the lateness horizon.") boolean force;

    @Override
    public Integer call() {
      if (to.isBefore(from)) {
        throw new ReconcileException("The range ends (" + to + ") before it starts (" + from + ")", false);
      }
      try (ClickHouseSql sql = clickHouse()) {
        SparkSession spark = LakeSpark.session(cfg);
        long days = java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
        List<Backfill.DayResult> results;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("backfill").setInitialMax(days)
            .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
            .build()) {
          results = new Backfill(Reconciler.create(spark, sql, cfg)).run(from, to, force, (d, r) -> {
            bar.step();
            bar.setExtraMessage(d + " " + r.status().name().toLowerCase());
          });
        } finally {
          spark.stop();
        }
        if (json) {
          List<Map<String, Object>> out = new ArrayList<>();
          for (Backfill.DayResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", r.day().toString());
            m.put("status", r.status().name().toLowerCase());
            m.put("message", r.message());
            out.add(m);
          }
          System.out.println(BatchMain.toJson(out));
        } else {
          results.forEach(r -> System.out.println(r.day() + "  " + r.status().name().toLowerCase() + "  " + r.message()));
        }
        return results.stream().anyMatch(r -> r.status() == Backfill.Status.FAILED) ? 1 : 0;
      }
    }
  }

  @Command(name = "drift", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
      description = "List stored drift reports, or show one day's latest report in detail.")
  static final class Drift extends Base {
    @Option(names = "--from", paramLabel = "YYYY-MM-DD") LocalDate from;
    @Option(names = "--to", paramLabel = "YYYY-MM-DD") LocalDate to;
    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Show this day's latest report.") LocalDate date;
    @Option(names = "--details", description = "With --date: the largest per-key differences too.") boolean details;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (date != null && (from != null || to != null)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--date shows one day's report and --from/--to list a range: give one or the other");
      }
      try (ClickHouseSql sql = clickHouse()) {
        ReportStore store = new ReportStore(sql);
        if (date != null) {
          Map<String, String> latest = store.latest(date);
          if (latest == null) {
            throw new ReconcileException("No drift report for " + date + ": run ./tidemark reconcile --date " + date, false);
          }
          int top = cfg.get(ReconcileOptions.TOP_DIFFERENCES);
          List<Map<String, String>> keys = details ? store.keys(latest.get("run_id"), date, top) : List.of();
          if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("report", new com.fasterxml.jackson.databind.ObjectMapper().readValue(latest.get("report_json"), Map.class));
            out.put("status", store.status(date).code());
            if (details) {
              out.put("differences", keys);
            }
            System.out.println(BatchMain.toJson(out));
          } else {
            System.out.println(BatchMain.toJson(new com.fasterxml.jackson.databind.ObjectMapper().readValue(latest.get("report_json"), Map.class)));
            System.out.println(store.status(date).describe());
            keys.forEach(k -> System.out.println("  " + k.get("metric") + " " + k.get("key") + " " + k.get("window_text")
                + " batch " + k.get("batch_count") + " speed " + k.get("speed_count") + " (" + k.get("diff") + ", " + k.get("cause") + ")"));
          }
          return 0;
        }
        LocalDate t = to != null ? to : LocalDate.now(ZoneOffset.UTC);
        LocalDate f = from != null ? from : t.minusDays(30);
        if (t.isBefore(f)) {
          throw new ReconcileException("The range ends (" + t + ") before it starts (" + f + ")", false);
        }
        List<Map<String, String>> rows = store.list(f, t);
        if (json) {
          System.out.println(BatchMain.toJson(rows));
        } else if (rows.isEmpty()) {
          System.out.println("No drift reports between " + f + " and " + t);
        } else {
          System.out.printf(java.util.Locale.ROOT, "%-10s  %-16s  %9s  %9s  %7s  %8s  %s%n", "day", "outcome", "batch", "speed", "drift", "relative", "run");
          for (Map<String, String> r : rows) {
            System.out.printf(java.util.Locale.ROOT, "%-10s  %-16s  %9s  %9s  %7s  %7.3f%%  %s%n", r.get("day_text"), r.get("outcome"),
                r.get("batch_total"), r.get("speed_total"), r.get("abs_drift"),
                100 * Double.parseDouble(r.get("relative_drift")), r.get("run_id"));
          }
        }
        return 0;
      }
    }
  }

  @Command(name = "days", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
      description = "Every day's status: speed-only, or reconciled at T from lake snapshot S.")
  static final class Days extends Base {
    @Option(names = "--from", paramLabel = "YYYY-MM-DD") LocalDate from;
    @Option(names = "--to", paramLabel = "YYYY-MM-DD") LocalDate to;

    @Override
    public Integer call() {
      try (ClickHouseSql sql = clickHouse()) {
        LocalDate t = to != null ? to : LocalDate.now(ZoneOffset.UTC);
        LocalDate f = from != null ? from : t.minusDays(30);
        List<DayStatus> all = new ReportStore(sql).statuses(f, t);
        if (json) {
          System.out.println(BatchMain.toJson(all.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", s.day().toString());
            m.put("status", s.code());
            m.put("reconciled_at", s.reconciledAt() == null ? null : s.reconciledAt().toString());
            m.put("lake_snapshot_id", s.reconciled() ? s.lakeSnapshotId() : null);
            m.put("run_id", s.runId());
            return m;
          }).toList()));
        } else {
          all.forEach(s -> System.out.println(s.describe()));
        }
        return 0;
      }
    }
  }

  /**
   * The step boundaries a {@code reconcile} run reports to ({@link Reconciler.Checkpoint}). None in
   * production: nothing reads a key or a variable for it. Only the crash tests' own main class
   * ({@code PausingReconcileMain}, in the test sources) sets one before calling {@link #execute}, to
   * hold a child process at a boundary and kill it there.
   */
  static volatile Reconciler.Checkpoint checkpoint = step -> {};

  /** The human form of a report. */
  public static String describe(DriftReport r, int top) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(java.util.Locale.ROOT, "Reconcile %s: %s (run %s, batch %s from lake snapshot %d)%n", r.day(),
        r.outcome().code(), r.runId(), r.batchRunId(), r.lakeSnapshotId()));
    for (CountMetric m : CountMetric.values()) {
      MetricDrift d = r.metrics().get(m);
      b.append(String.format(java.util.Locale.ROOT, "  %s: batch %d events in %d rows, speed %d in %d rows; keys only in speed %d,"
              + " only in batch %d, different %d; drift %d (%.3f%%)%n", m.servingTable(), d.batchTotal(),
          d.batchRows(), d.speedTotal(), d.speedRows(), d.keysOnlySpeed(), d.keysOnlyBatch(), d.keysDifferent(),
          d.absDrift(), 100 * d.relativeDrift()));
      b.append(String.format(java.util.Locale.ROOT, "    causes: %s %d, %s %d, %s %d, %s %d%n", Cause.TOO_LATE.code(), d.tooLate(),
          Cause.NOT_STREAMED.code(), d.notStreamed(), Cause.MISSING_FROM_SPEED.code(), d.missing(),
          Cause.OVER_COUNTED.code(), d.overCounted()));
      for (KeyDiff k : d.top(top)) {
        b.append(String.format(java.util.Locale.ROOT, "    %s %s batch %d speed %d (%+d, %s)%n", k.key(), Instant.ofEpochMilli(k.windowStart()),
            k.batch(), k.speed(), k.diff(), k.cause()));
      }
    }
    b.append("  invalid records in the lake: ").append(r.invalidRecords());
    if (!r.invalidByReason().isEmpty()) {
      b.append(" (").append(new java.util.TreeMap<>(r.invalidByReason()).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", "))).append(")");
    }
    if (!r.stepSeconds().isEmpty()) {
      b.append("\n  steps: ").append(io.tidemark.batch.job.StepTimer.describe(r.stepSeconds()));
    }
    return b.toString();
  }

  /** The reconcile settings for --help, generated from {@link ReconcileOptions}' declarations. */
  static String[] settingsFooter() {
    return SettingsHelp.footer(ReconcileOptions.all());
  }


  /** Runs a command with Tidemark's error handling: one line on stderr, the exit code of {@link #exitCode}. */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.err, true), args);
  }

  /** {@link #execute(String...)} with errors written to {@code err}. */
  static int execute(java.io.PrintWriter err, String... args) {
    return execute(new ReconcileMain(), err, args);
  }

  /** Runs any picocli {@code command} of this tool (e.g. the batch benchmark) with the same handling. */
  public static int execute(Object command, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.registerConverter(LocalDate.class, ReconcileMain::day);
    for (String name : List.of("reconcile", "backfill")) {
      CommandLine sub = cl.getSubcommands().get(name);
      if (sub != null) {
        List<String> footer = new ArrayList<>(List.of(settingsFooter()));
        footer.addAll(List.of(sub.getCommandSpec().usageMessage().footer()));
        sub.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
      }
    }
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof ReconcileException || e instanceof BatchException || e instanceof ConfigException
          || e instanceof StoreException) {
        line.getErr().println("error: " + e.getMessage());
      } else {
        line.getErr().println("error: " + e);
        e.printStackTrace(line.getErr());
      }
      return exitCode(e);
    });
    cl.setParameterExceptionHandler((e, a) -> BatchMain.badArguments(e, e.getCommandLine().getCommandName()));
    return cl.execute(args);
  }

  /**
   * A {@code --date}/{@code --from}/{@code --to} value: {@code YYYY-MM-DD} between 1970-01-01 and
   * 2105-12-31, the days ClickHouse's Date and DateTime hold. picocli's own conversion took ISO's
   * extended years ({@code +99999-01-01}), which then failed in ClickHouse with the SQL in the
   * message; now it is a usage error (exit 2) before anything is contacted.
   */
  static LocalDate day(String value) {
    LocalDate d;
    try {
      d = value.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}") ? LocalDate.parse(value) : null;
    } catch (java.time.format.DateTimeParseException e) {
      d = null;
    }
    if (d == null || d.getYear() < 1970 || d.getYear() > 2105) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a day: expected YYYY-MM-DD between 1970-01-01 and 2105-12-31");
    }
    return d;
  }

  /**
   * The exit code of a failed command ({@link ExitCodes}): 3 when the exception says a retry cannot
   * help ({@link ReconcileException}, {@link StoreException}, {@link BatchException} not retryable),
   * 2 for bad configuration, else 1.
   */
  static int exitCode(Throwable e) {
    if (e instanceof ReconcileException r) {
      return ExitCodes.of(r.isRetryable());
    }
    if (e instanceof StoreException s) {
      return ExitCodes.of(s.isRetryable());
    }
    return BatchMain.exitCode(e);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
