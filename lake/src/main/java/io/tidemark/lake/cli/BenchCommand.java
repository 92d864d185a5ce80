package io.tidemark.lake.cli;

import io.tidemark.core.report.BenchmarkReport;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.bench.ArchiveBenchmark;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lake bench}: what {@code ./tidemark bench lake} runs. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark archive throughput and lag on a topic and table of its own.",
      "Throughput as a ratio against a bare Kafka consumer on the same pre-loaded topic, then",
      "archive lag p50/p99 at half the archive throughput."
    })
public final class BenchCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Option(names = "--records", defaultValue = "1000000", description = "Records pre-loaded for the throughput run (default ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--lag-seconds", defaultValue = "60", description = "Duration of the lag run (default ${DEFAULT-VALUE}).")
  long lagSeconds;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ArchiveBenchmark.Result r = new ArchiveBenchmark(parent.config(), records, Duration.ofSeconds(lagSeconds)).run();
    writeReport(r);
    if (json) {
      System.out.println(JsonOutput.render(r));
      return 0;
    }
    System.out.printf("| records | bare consumer (rec/s) | archive (rec/s) | ratio | archive incl. worker start (rec/s) | worker CPU (us/record) | writer floor (rec/s) | floor ratio | lag run rate (rec/s) | lag p50 (s) | lag p99 (s) | lag max (s) | commit interval (s) |%n");
    System.out.printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n");
    System.out.printf("| %d | %.0f | %.0f | %.3fx | %.0f | %.1f | %.0f | %.3fx | %.0f | %.1f | %.1f | %.1f | %.0f |%n", r.records(), r.baselineRecordsPerSecond(),
        r.archiveRecordsPerSecond(), r.ratio(), r.archiveIncludingStartRecordsPerSecond(), r.workerCpuMicrosPerRecord(),
        r.floorRecordsPerSecond(), r.floorRatio(), r.lagRate(),
        r.lagP50Seconds(), r.lagP99Seconds(), r.lagMaxSeconds(), r.commitIntervalSeconds());
    System.out.printf("Targets (issue 5): ratio >= 0.5x: %s; lag p99 <= commit interval + 5 s: %s (table %s; load average %s)%n",
        r.ratio() >= 0.5 ? "met" : "NOT met", r.lagP99Seconds() <= r.commitIntervalSeconds() + 5 ? "met" : "NOT met", r.table(),
        BenchmarkReport.loadAverage());
    return 0;
  }

  private static String passes(ArchiveBenchmark.Result r) {
    return String.join(" / ", r.baselinePassesRecordsPerSecond().stream()
        .map(p -> String.format(java.util.Locale.ROOT, "%,.0f", p)).toList());
  }

  /** Replaces the lake section of docs/benchmarks.md with this run's figures. */
  private static void writeReport(ArchiveBenchmark.Result r) {
    String md = String.format(java.util.Locale.ROOT, """
        ## lake: Kafka Connect + Iceberg archive vs a bare Kafka consumer

        Same pre-loaded topic, same machine, same run: a bare KafkaConsumer reading every record
        (baseline, median of three passes) against the Connect worker (one sink task) archiving them into
        lake.pageview_events (Parquet on the S3-compatible store, commit interval %.0f s); then
        archive lag measured at half the archive rate. The archive rate is the worker's steady
        state: rows after its first commit over the time it took to process them (their
        ingest_time), so neither the JVM start nor the wait for the last commit is in it; the lag
        row carries the commit cadence. Worker CPU is all threads of the worker JVM per record
        after its first commit; on these shared cores it varies less than the rates do.
        The writer floor writes the same records, parsed into Iceberg records in memory
        beforehand (not timed), with Iceberg's own Parquet data writers set up as the sink's
        (same schema, day partitioning, file and compression properties, S3FileIO to the same
        store), one writer per core (%d threads), and commits one append, into a scratch table
        dropped afterwards; timed from the first write to the end of the commit, after one
        untimed pass whose files are deleted (JIT warm-up: the archive rate is the worker's
        steady state too). It is the highest archive rate any sink built on Iceberg's Parquet
        writer could reach here.

        | Measure | Baseline | Archive | Ratio | Target |
        |---|---|---|---|---|
        | records/s (%,d records) | %,.0f | %,.0f | %.3fx | >= 0.5x (%s) |
        | bare consumer passes (records/s) | %s | | | |
        | records/s including the worker's start and the last commit | | %,.0f | %.3fx | |
        | worker CPU per record | | %.1f µs | | |
        | writer floor: Iceberg's Parquet writer alone, %d threads, records/s (%,d records) | %,.0f | %,.0f | %.3fx | |
        | writer floor CPU per record (writer threads) | | %.1f µs | | |
        | archive lag p50 / p99 / max at %,.0f rec/s | | %.1f / %.1f / %.1f s | | p99 <= %.0f s (%s) |

        Run at %s, load average %s.
        """, r.commitIntervalSeconds(), r.floorThreads(), r.records(), r.baselineRecordsPerSecond(), r.archiveRecordsPerSecond(),
        r.ratio(), r.ratio() >= 0.5 ? "met" : "not met", passes(r), r.archiveIncludingStartRecordsPerSecond(),
        r.archiveIncludingStartRecordsPerSecond() / r.baselineRecordsPerSecond(), r.workerCpuMicrosPerRecord(),
        r.floorThreads(), r.floorRecords(), r.baselineRecordsPerSecond(), r.floorRecordsPerSecond(), r.floorRatio(),
        r.floorWriterCpuMicrosPerRecord(),
        r.lagRate(), r.lagP50Seconds(), r.lagP99Seconds(), r.lagMaxSeconds(), r.commitIntervalSeconds() + 5,
        r.lagP99Seconds() <= r.commitIntervalSeconds() + 5 ? "met" : "not met", java.time.Instant.now(),
        BenchmarkReport.loadAverage());
    java.nio.file.Path file = io.tidemark.stack.StackOptions.projectRoot(System.getenv(), java.nio.file.Path.of("").toAbsolutePath()).resolve("docs/benchmarks.md");
    BenchmarkReport.writeSection(file, "lake", md);
    System.out.println("Written to " + file);
  }
}
