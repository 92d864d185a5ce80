package io.tidemark.speed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewJson;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.speed.SpeedOptions;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tidemark bench speed} (or {@code SpeedLayerMain bench}): sustained throughput of the
 * whole speed-layer job over a pre-loaded backlog, per state backend, as a ratio against a bare
 * {@code KafkaConsumer} + {@link PageViewParser} reading the same topic in the same run; freshness
 * (produced -> visible in ClickHouse) at half the sustained rate; checkpoint duration and size and
 * the JVM's RSS. Writes a section of {@code docs/benchmarks.md}. Not a timed test.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Speed-layer benchmark: writes its figures to docs/benchmarks.md.")
public final class SpeedBenchmark implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--records", defaultValue = "2000000", description = "Records pre-loaded (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--users", defaultValue = "1000000", description = "Distinct users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--event-rate", defaultValue = "20000",
      description = "Event-time density of the backlog, events per second of event time (default: ${DEFAULT-VALUE}).")
  double eventRate;

  @Option(names = "--backends", split = ",", defaultValue = "hashmap,rocksdb", description = "State backends to run (default: ${DEFAULT-VALUE}).")
  List<String> backends;

  @Option(names = "--freshness-seconds", defaultValue = "30", description = "Length of the freshness run; 0 skips it (default: ${DEFAULT-VALUE}).")
  int freshnessSeconds;

  @Option(names = "--floors", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also time the floor jobs (Kafka source + parse; + keyBy shuffle; + one keyed ValueState; + every changed"
          + " cell written to ClickHouse) over the same backlog, to show what any per-user Flink job costs here"
          + " (default: ${DEFAULT-VALUE}; --no-floors skips them).")
  boolean floors;

  @Option(names = "--private-stack",
      description = "Start a private Kafka and ClickHouse on free ports for the run (isolated from a shared stack), stopped at the end.")
  boolean privateStack;

  @Option(names = "--job-jvm-options",
      description = "Options of the job's own JVM (default: tidemark.speed.jvm-options, what './tidemark speed run' uses).")
  String jobJvmOptions;

  @Option(names = "--report", description = "Markdown file to write the section into (default: docs/benchmarks.md of the project).")
  Path report;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Sets any tidemark.* key.")
  Map<String, String> overrides = new HashMap<>();

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with tidemark.* keys.")
  Path configFile;

  private Map<String, String> env = System.getenv();
  private PrintStream out = System.out;
  /** Checkpoints and job logs of this run; deleted when the run succeeds. */
  private Path scratch;

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    SpeedBenchmark b = new SpeedBenchmark();
    b.env = env;
    b.out = out;
    return new CommandLine(b)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // a service that is down or a bad setting: one line naming it, not a stack trace
          if (e instanceof io.tidemark.stack.StackException) {
            err.println("error: " + e.getMessage() + " (start it with './tidemark stack up', or run the bench with --private-stack)");
            return io.tidemark.core.cli.ExitCodes.FAILED;
          }
          if (e instanceof io.tidemark.core.config.ConfigException) {
            err.println("error: " + e.getMessage());
            return io.tidemark.core.cli.ExitCodes.USAGE;
          }
          throw e;
        })
        .execute(args);
  }

  /**
   * One bounded job run. {@code eventsPerSecond} is the sustained rate, from the first record the
   * source emitted to the end of the job (final flush included), or the rate with start-up when
   * the run was too short to sample ({@code sustainedMeasured} false); {@code
   * withStartupPerSecond} also counts the JVM, MiniCluster and job start-up before that.
   */
  record JobRun(String backend, double eventsPerSecond, boolean sustainedMeasured, double withStartupPerSecond,
      double seconds, long maxCheckpointMs, long lastCheckpointMs, long maxStateBytes, long maxRssBytes, int checkpoints,
      long gcMillis, long gcCount, CheckpointBreakdown longest, long cpuMillis, double baseline, long finalWaitMillis) {
    /** This run compared with the bare consumer passes timed just before and after it. */
    double ratio() {
      return eventsPerSecond / baseline;
    }

    JobRun withBaseline(double around) {
      return new JobRun(backend, eventsPerSecond, sustainedMeasured, withStartupPerSecond, seconds, maxCheckpointMs,
          lastCheckpointMs, maxStateBytes, maxRssBytes, checkpoints, gcMillis, gcCount, longest, cpuMillis, around,
          finalWaitMillis);
    }

    /** CPU time of the job's JVM per event (all threads, start-up included): robust to other load on the machine. */
    double cpuMicrosPerEvent(long events) {
      return cpuMillis * 1000.0 / events;
    }
  }

  @Override
  public Integer call() throws Exception {
    String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    List<io.tidemark.core.config.ConfigOption<?>> known = new ArrayList<>(SpeedOptions.known());
    known.addAll(StackOptions.all());
    TidemarkConfig base = TidemarkConfig.load(configFile, env, overrides, known);
    io.tidemark.stack.LocalStack stack = null;
    Thread stopOnExit = null;
    if (privateStack) {
      base = base.with(StackOptions.HOME, Files.createTempDirectory("tidemark-bench-stack-").toString())
          .with(StackOptions.KAFKA_PORT, freePort())
          .with(StackOptions.KAFKA_CONTROLLER_PORT, freePort())
          .with(StackOptions.CLICKHOUSE_HTTP_PORT, freePort())
          .with(StackOptions.CLICKHOUSE_TCP_PORT, freePort())
          .with(StackOptions.CLICKHOUSE_INTERSERVER_PORT, freePort())
          .with(StackOptions.S3_PORT, freePort());
      // the CLI hands over endpoints resolved to the shared stack: point them at the private one
      for (io.tidemark.stack.Service s : io.tidemark.stack.Service.values()) {
        base = base.with(io.tidemark.stack.Endpoints.option(s), io.tidemark.stack.Endpoints.localAddress(base, s));
      }
      stack = new io.tidemark.stack.LocalStack(base);
      io.tidemark.stack.LocalStack started = stack;
      // a bench stopped with Ctrl-C (or killed with TERM) must not leave its private broker and server behind
      stopOnExit = new Thread(() -> started.down(), "bench-private-stack-down");
      Runtime.getRuntime().addShutdownHook(stopOnExit);
      stack.up(java.util.Set.of(io.tidemark.stack.Service.KAFKA, io.tidemark.stack.Service.CLICKHOUSE),
          io.tidemark.stack.StackListener.SILENT);
      out.println("private stack up in " + base.get(StackOptions.HOME));
    }
    scratch = Files.createTempDirectory("tidemark-bench-speed-");
    try {
      int rc = measure(base, run);
      // checkpoints and job logs are only worth keeping when something failed
      deleteTree(scratch);
      return rc;
    } catch (Exception e) {
      out.println("checkpoints and job logs kept in " + scratch);
      throw e;
    } finally {
      if (stack != null) {
        stack.down();
        // stopped already: the hook would only write a lock file into the folder deleted next
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        deleteTree(Path.of(base.get(StackOptions.HOME)));
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private int measure(TidemarkConfig base, String run) throws Exception {
    TidemarkConfig cfg =
        io.tidemark.stack.Endpoints.resolve(base)
            .with(KafkaOptions.EVENTS_TOPIC, "bench_speed_events_" + run)
            .with(KafkaOptions.DLQ_TOPIC, "bench_speed_dlq_" + run)
            .with(KafkaOptions.LATE_TOPIC, "bench_speed_late_" + run)
            .with(ClickHouseOptions.DATABASE, "bench_speed_" + run)
            .with(SpeedOptions.STARTING_OFFSETS, "earliest")
            .with(SpeedOptions.METRICS_PORT, -1)
            .with(SpeedOptions.CHECKPOINT_DIR, scratch.resolve("checkpoints").toString());
    if (jobJvmOptions == null) {
      jobJvmOptions = cfg.get(io.tidemark.core.config.JvmOptions.SPEED_LAYER);
    }
    Migrations.run(cfg);
    out.printf("pre-loading %,d records (%,d users) into %s ...%n", records, users, cfg.get(KafkaOptions.EVENTS_TOPIC));
    long span = (long) Math.ceil(records / eventRate * 1000);
    GeneratorSpec spec = GeneratorSpec.builder()
        .rate(eventRate).duration(Duration.ofMillis(Math.max(1000, (long) (records * 1000 / eventRate))))
        .users(users).pages(1_000).seed(5)
        .startTime(Instant.ofEpochMilli(System.currentTimeMillis() - span - 120_000))
        .outOfOrderMs(3_000).duplicateFraction(0.02).invalidFraction(0.01).lateFraction(0)
        .build();
    TrafficGenerator gen = TrafficGenerator.builder().config(cfg).spec(spec).paced(false).build();
    io.tidemark.generator.GroundTruth truth = gen.run(null);
    long total = truth.produced();
    long valid = total - truth.invalid();
    out.printf("pre-loaded %,d records at %,.0f records/s%n", total, gen.achievedRate());

    // The baseline is timed before and after every job run, and each job is compared with the mean
    // of the two passes around it: a load change on the shared cores during a run moves both sides.
    // One untimed pass first: the consumer runs in this JVM, and its first pass (JIT warm-up) was
    // 25-35% slower than the later ones, which made the first job's baseline lower than the floors'.
    out.printf("warm-up pass of the bare consumer (not used): %,.0f records/s%n", bareConsumer(cfg, total));
    List<Double> passes = new ArrayList<>();
    passes.add(bareConsumer(cfg, total));
    out.printf("bare KafkaConsumer + parse: %,.0f records/s%n", passes.get(0));
    List<JobRun> runs = new ArrayList<>();
    List<JobRun> floorRuns = new ArrayList<>();
    for (String backend : backends) {
      TidemarkConfig c = cfg.with(SpeedOptions.STATE_BACKEND, backend)
          .with(SpeedOptions.CONSUMER_GROUP, "bench-" + run + "-" + backend)
          .with(SpeedOptions.JOB_NAME, "bench-speed-" + backend);
      JobRun job = runJob(c, total);
      double after = bareConsumer(cfg, total);
      out.printf("bare KafkaConsumer + parse: %,.0f records/s%n", after);
      JobRun r = job.withBaseline((passes.get(passes.size() - 1) + after) / 2);
      passes.add(after);
      runs.add(r);
      out.printf("%s: %,.0f events/s %s (%.2fx baseline), %,.0f/s with start-up, %d checkpoints, max %d ms"
              + " (start delay / alignment / sync / async %s), state %,d bytes, job JVM RSS %,d MB, GC %,d ms in %,d collections,"
              + " CPU %.1f µs/event, then %.1f s waiting for the final checkpoint%n",
          backend, r.eventsPerSecond(), r.sustainedMeasured() ? "sustained" : "with start-up (too short to sample)",
          r.ratio(), r.withStartupPerSecond(), r.checkpoints(), r.maxCheckpointMs(),
          r.longest().describe(), r.maxStateBytes(), r.maxRssBytes() >> 20, r.gcMillis(), r.gcCount(),
          r.cpuMicrosPerEvent(total), r.finalWaitMillis() / 1e3);
    }
    if (floors) {
      for (FloorJob.Floor floor : FloorJob.Floor.values()) {
        TidemarkConfig c = cfg.with(SpeedOptions.STATE_BACKEND, "hashmap")
            .with(SpeedOptions.CONSUMER_GROUP, "bench-" + run + "-floor-" + floor.argument())
            .with(SpeedOptions.JOB_NAME, "bench-speed-floor-" + floor.argument());
        JobRun job = runJob(c, total, floor, valid);
        double after = bareConsumer(cfg, total);
        out.printf("bare KafkaConsumer + parse: %,.0f records/s%n", after);
        JobRun r = job.withBaseline((passes.get(passes.size() - 1) + after) / 2);
        passes.add(after);
        floorRuns.add(r);
        out.printf("%s: %,.0f events/s (%.2fx baseline), CPU %.1f µs/event, GC %,d ms%n",
            r.backend(), r.eventsPerSecond(), r.ratio(), r.cpuMicrosPerEvent(total), r.gcMillis());
      }
    }
    double[] freshness = null;
    double freshRate = 0;
    if (freshnessSeconds > 0) {
      JobRun best = runs.stream().max(java.util.Comparator.comparingDouble(JobRun::eventsPerSecond)).orElseThrow();
      freshRate = Math.min(best.eventsPerSecond() / 2, 200_000);
      TidemarkConfig c = cfg.with(SpeedOptions.STATE_BACKEND, best.backend())
          .with(SpeedOptions.STARTING_OFFSETS, "latest")
          .with(SpeedOptions.CONSUMER_GROUP, "bench-" + run + "-fresh")
          .with(SpeedOptions.JOB_NAME, "bench-speed-freshness");
      freshness = freshness(c, freshRate);
      out.printf("freshness at %,.0f events/s (%s): p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d probes)%n",
          freshRate, best.backend(), freshness[0], freshness[1], freshness[2], (long) freshness[3]);
    }
    Path file = report != null ? report
        : StackOptions.projectRoot(env, Path.of("").toAbsolutePath()).resolve("docs/benchmarks.md");
    writeSection(file, markdown(cfg, total, passes, runs, floorRuns, freshness, freshRate));
    out.println("written to " + file);
    return 0;
  }

  private String markdown(TidemarkConfig cfg, long total, List<Double> passes, List<JobRun> runs, List<JobRun> floorRuns,
      double[] freshness, double freshRate) {
    StringBuilder md = new StringBuilder();
    md.append("## speed: the Flink speed layer vs a bare Kafka consumer\n\n");
    md.append(String.format(
        "Catch-up over a pre-loaded backlog of %,d generator records (%,d users, 1,000 pages, 2%% duplicates,"
            + " 1%% invalid, out-of-order up to 3 s) in a 4-partition topic of a local broker (the local stack's, or a private one with --private-stack); broker,"
            + " ClickHouse and the job share the same %d cores. Baseline: one bare `KafkaConsumer` + the shared"
            + " `PageViewParser` reading the same topic in the same run, after one untimed warm-up pass (its JIT), timed before and after every job run; each job is"
            + " compared with the mean of the two passes around it. Job: the whole speed layer (validation,"
            + " dead letters, dedup, per-user and per-page counts, ClickHouse writes) on a MiniCluster in a JVM of its own"
            + " (`%s`, what `./tidemark speed run` uses; RSS and GC time are that JVM's), parallelism"
            + " %d, exactly-once checkpoints every %s, bounded to the backlog. Sustained rates run from the first record"
            + " (the consumer's first non-empty poll; the job's first source output seen by a 1 s REST sampler, counting"
            + " only the records left after it) to the last record (for the job: when both ClickHouse sinks logged that"
            + " their bounded input was written, final flush included; the bounded job then waits for a final checkpoint,"
            + " up to one interval, which a running job never does); the job's rate with start-up counts MiniCluster and"
            + " job start and that final wait too.%n%n",
        total, users, Runtime.getRuntime().availableProcessors(), jobJvmOptions, cfg.get(SpeedOptions.PARALLELISM),
        io.tidemark.core.config.Durations.format(cfg.get(SpeedOptions.CHECKPOINT_INTERVAL))));
    md.append("| Run | events/s sustained | vs baseline | events/s with start-up | checkpoints | longest checkpoint"
        + " | its start delay / alignment / sync / async | last checkpoint | largest checkpointed state | job JVM max RSS | job JVM GC time"
        + " | job JVM CPU per event |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < passes.size(); i++) {
      md.append(String.format("| bare KafkaConsumer + parse, pass %d of %d | %,.0f | | | | | | | | | | |%n",
          i + 1, passes.size(), passes.get(i)));
    }
    for (JobRun r : runs) {
      md.append(String.format("| speed layer, %s | %,.0f%s | %.2fx | %,.0f | %d | %,d ms | %s | %,d ms | %,d MB | %,d MB | %,d ms (%,d collections) | %.1f µs |%n",
          r.backend(), r.eventsPerSecond(), r.sustainedMeasured() ? "" : " (with start-up: too short to sample)",
          r.ratio(), r.withStartupPerSecond(), r.checkpoints(), r.maxCheckpointMs(),
          r.longest().describe(), r.lastCheckpointMs(), r.maxStateBytes() >> 20, r.maxRssBytes() >> 20, r.gcMillis(), r.gcCount(),
          r.cpuMicrosPerEvent(total)));
    }
    if (!floorRuns.isEmpty()) {
      md.append(String.format("%nFloors: jobs with only the parts any keyed Flink job counting per user must run, each in a"
          + " JVM of its own with the job's settings (hashmap, parallelism %d, checkpoints every %s), over the same backlog,"
          + " timed from their first record to their end of input, each against the bare-consumer passes around it:%n%n",
          cfg.get(SpeedOptions.PARALLELISM), io.tidemark.core.config.Durations.format(cfg.get(SpeedOptions.CHECKPOINT_INTERVAL))));
      md.append("| Floor | events/s | vs baseline | job JVM CPU per event | job JVM GC time |\n|---|---|---|---|---|\n");
      for (JobRun r : floorRuns) {
        md.append(String.format("| %s | %,.0f | %.2fx | %.1f µs | %,d ms |%n", r.backend().substring("floor: ".length()),
            r.eventsPerSecond(), r.ratio(), r.cpuMicrosPerEvent(total), r.gcMillis()));
      }
    }
    if (freshness != null) {
      md.append(String.format(
          "%nFreshness (probe event produced -> its row visible in ClickHouse), live traffic at %,.0f events/s"
              + " (half the best sustained rate, capped at 200K/s), early-fire interval 1 s: p50 %.0f ms, p99 %.0f ms,"
              + " max %.0f ms over %d probes.%n",
          freshRate, freshness[0], freshness[1], freshness[2], (long) freshness[3]));
    }
    md.append(String.format("%nPer core: best run %,.0f events/s / %d cores = %,.0f events/s per core"
            + " (Nexmark q12 reference: 75.67K/s per core, Flink 1.13, RocksDB, no Kafka/ClickHouse in the loop).%n",
        runs.stream().mapToDouble(JobRun::eventsPerSecond).max().orElse(0), Runtime.getRuntime().availableProcessors(),
        runs.stream().mapToDouble(JobRun::eventsPerSecond).max().orElse(0) / Runtime.getRuntime().availableProcessors()));
    md.append("\n").append(targets(runs, freshness)).append("\n");
    md.append("\nRun at ").append(Instant.now()).append(", load average ")
        .append(io.tidemark.core.report.BenchmarkReport.loadAverage()).append(".\n");
    return md.toString();
  }

  /** Issue 4's targets against this run's figures, each met or missed. */
  static String targets(List<JobRun> runs, double[] freshness) {
    JobRun best = runs.stream().max(java.util.Comparator.comparingDouble(JobRun::eventsPerSecond)).orElseThrow();
    List<String> parts = new ArrayList<>();
    parts.add(String.format("at least 150K events/s sustained: %s (%,.0f, %s)", verdict(best.eventsPerSecond() >= 150_000),
        best.eventsPerSecond(), best.backend()));
    JobRun bestRatio = runs.stream().max(java.util.Comparator.comparingDouble(JobRun::ratio)).orElseThrow();
    parts.add(String.format("at least 0.3x the bare consumer: %s (%.2fx, %s)", verdict(bestRatio.ratio() >= 0.3),
        bestRatio.ratio(), bestRatio.backend()));
    if (freshness != null) {
      parts.add(String.format("freshness p99 at most 2 s: %s (%.0f ms)", verdict(freshness[1] <= 2_000), freshness[1]));
    }
    for (JobRun r : runs) {
      String checkpoints = r.checkpoints() == 0
          ? "**not measured** (no checkpoint completed before the backlog ended: more --records)"
          : String.format("%s (longest %,d ms)", verdict(r.maxCheckpointMs() < 5_000), r.maxCheckpointMs());
      parts.add(String.format("%s checkpoints under 5 s: %s; %s job JVM under 2 GiB RSS: %s (%,d MB)",
          r.backend(), checkpoints, r.backend(), verdict(r.maxRssBytes() < (2L << 30)), r.maxRssBytes() >> 20));
    }
    return "Targets (issue 4; the RSS target is for 10M event_ids in the dedup state, see --records and"
        + " --event-rate): " + String.join("; ", parts) + ".";
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  static double bareConsumer(TidemarkConfig cfg, long total) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("group.id", "bench-bare-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "5000");
    p.put("fetch.min.bytes", "65536");
    long n = 0;
    long valid = 0;
    long start = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(cfg.get(KafkaOptions.EVENTS_TOPIC)));
      while (n < total) {
        ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(500));
        if (start == 0 && !batch.isEmpty()) {
          // same clock as the job's sustained rate: from the first record, group join excluded
          start = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          if (PageViewParser.parse(r.value(), r.timestamp()) instanceof ParseResult.Valid) {
            valid++;
          }
          n++;
        }
      }
    }
    if (valid == 0) {
      throw new IllegalStateException("no valid record parsed");
    }
    return n * 1e9 / (System.nanoTime() - start);
  }

  /**
   * Starts the job in a JVM of its own ({@link BoundedJobMain} with {@link #jobJvmOptions}), its
   * output to {@code log}; the caller stops it.
   */
  private Process startJob(TidemarkConfig cfg, int port, boolean bounded, Path log, FloorJob.Floor floor)
      throws IOException {
    Path config = BoundedJobMain.writeConfig(cfg, log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(io.tidemark.core.config.JvmOptions.split(jobJvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BoundedJobMain.class.getName(),
        config.toString(), String.valueOf(port), bounded ? "bounded" : "unbounded"));
    if (floor != null) {
      command.add(floor.argument());
    }
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
  }

  /**
   * Runs the bounded job in a JVM of its own ({@link BoundedJobMain}, with {@link #jobJvmOptions})
   * and samples it from here: its REST API for progress and checkpoints, /proc for its RSS.
   */
  JobRun runJob(TidemarkConfig cfg, long total) throws Exception {
    return runJob(cfg, total, null, -1);
  }

  /**
   * As {@link #runJob(TidemarkConfig, long)}, for a {@link FloorJob} when {@code floor} is set, which
   * must pass on exactly {@code valid} records (else its rate would be of less work).
   */
  JobRun runJob(TidemarkConfig cfg, long total, FloorJob.Floor floor, long valid) throws Exception {
    int port = freePort();
    Path log = Files.createTempDirectory(scratch, "job-").resolve("job.log");
    long startMillis = System.currentTimeMillis();
    Process job = startJob(cfg, port, true, log, floor);
    Sampler sampler = new Sampler(port, job.pid());
    try {
      sampler.start();
      int rc = job.waitFor();
      sampler.stop();
      String end = Files.readAllLines(log).stream().filter(l -> l.startsWith(BoundedJobMain.END_MARKER)).findFirst()
          .orElseThrow(() -> new IllegalStateException("the " + cfg.get(SpeedOptions.STATE_BACKEND)
              + " job failed (exit " + rc + "); its log: " + log));
      String[] f = end.split(" ");
      long endMillis = Long.parseLong(f[1]);
      double seconds = (endMillis - startMillis) / 1e3;
      // Processing ends when both count sinks have written their last rows; the bounded job then
      // waits for a final checkpoint (up to one interval) before it ends, which a running job never does.
      long drainedMillis;
      double sustained;
      if (floor == null) {
        drainedMillis = drainedAt(log).orElse(endMillis);
        sustained = sampler.sustainedRate(total, drainedMillis);
      } else {
        // a floor's sink is chained to the source (PARSE), so the sampler's source output stays 0: its
        // writers log their first and last record instead
        long[] span = floorSpan(log);
        if (span[2] != valid) {
          throw new IllegalStateException("the floor '" + floor.argument() + "' passed on " + span[2]
              + " records, the backlog has " + valid + " valid ones; its log: " + log);
        }
        drainedMillis = Math.max(span[1], drainedAt(log).orElse(span[1])); // CELL_WRITES: its ClickHouse sink too
        sustained = span[2] * 1e3 / Math.max(1, drainedMillis - span[0]);
      }
      return new JobRun(floor == null ? cfg.get(SpeedOptions.STATE_BACKEND) : "floor: " + floor.description(),
          Double.isNaN(sustained) ? total / seconds : sustained,
          !Double.isNaN(sustained), total / seconds, seconds,
          sampler.maxCheckpointMs.get(), sampler.lastCheckpointMs.get(), sampler.maxStateBytes.get(), sampler.maxRss.get(),
          (int) sampler.checkpoints.get(), Long.parseLong(f[2]), Long.parseLong(f[3]), sampler.longestBreakdown,
          Long.parseLong(f[4]), Double.NaN, endMillis - drainedMillis);
    } finally {
      sampler.stop();
      if (job.isAlive()) {
        job.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * A floor job's first record (earliest over its sink writers), its end of input (latest) and the
   * records its writers saw, from the {@link FloorJob.DrainTimingSink} lines of its log.
   */
  static long[] floorSpan(Path log) throws IOException {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long records = 0;
    for (String l : Files.readAllLines(log)) {
      int f = l.indexOf(FloorJob.DrainTimingSink.FIRST_MARKER);
      int e = l.indexOf(FloorJob.DrainTimingSink.LAST_MARKER);
      if (f >= 0) {
        first = Math.min(first, Long.parseLong(l.substring(f + FloorJob.DrainTimingSink.FIRST_MARKER.length()).trim()));
      } else if (e >= 0) {
        String[] v = l.substring(e + FloorJob.DrainTimingSink.LAST_MARKER.length()).trim().split(" ");
        last = Math.max(last, Long.parseLong(v[0]));
        records += Long.parseLong(v[1]);
      }
    }
    if (first == Long.MAX_VALUE || last == Long.MIN_VALUE) {
      throw new IllegalStateException("the floor job logged no first or last record; its log: " + log);
    }
    return new long[] {first, last, records};
  }

  /**
   * When the last count sink logged that it had written everything of its bounded input (the
   * latest {@link io.tidemark.speed.sink.ClickHouseCountSink#DRAINED_MARKER} line of the job's log), if any did.
   */
  static java.util.OptionalLong drainedAt(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains(io.tidemark.speed.sink.ClickHouseCountSink.DRAINED_MARKER))
        .mapToLong(l -> Long.parseLong(l.substring(
            l.indexOf(io.tidemark.speed.sink.ClickHouseCountSink.DRAINED_MARKER)
                + io.tidemark.speed.sink.ClickHouseCountSink.DRAINED_MARKER.length()).trim()))
        .max();
  }

  /**
   * Where the longest checkpoint's time went, the maximum over all subtasks of each part: waiting
   * for the barrier to arrive (backpressure), aligning the barriers of the inputs, the synchronous
   * snapshot and the asynchronous upload.
   */
  record CheckpointBreakdown(long startDelayMs, long alignmentMs, long syncMs, long asyncMs) {
    static final CheckpointBreakdown NONE = new CheckpointBreakdown(-1, -1, -1, -1);

    String describe() {
      return this == NONE || startDelayMs < 0 ? "" : String.format("%,d / %,d / %,d / %,d ms", startDelayMs, alignmentMs, syncMs, asyncMs);
    }
  }

  /**
   * Polls a MiniCluster's REST API for checkpoint statistics and the source's progress, and /proc
   * for the RSS of the process that runs it.
   */
  static final class Sampler {
    /** Records the source vertex had sent on, at the first sample that saw any, and when (epoch ms). */
    private volatile long firstEmitted = -1;
    private volatile long firstEmittedAt;
    private final AtomicLong lastEmitted = new AtomicLong();
    private volatile String jobId;
    private volatile String sourceVertex;
    private final List<String> vertices = new ArrayList<>();
    final AtomicLong maxCheckpointMs = new AtomicLong();
    final AtomicLong lastCheckpointMs = new AtomicLong();
    final AtomicLong maxStateBytes = new AtomicLong();
    final AtomicLong maxRss = new AtomicLong();
    final AtomicLong checkpoints = new AtomicLong();
    volatile CheckpointBreakdown longestBreakdown = CheckpointBreakdown.NONE;
    final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final String root;

    /** Samples the MiniCluster on {@code port}, run by process {@code pid}. */
    Sampler(int port, long pid) {
      root = "http://localhost:" + port;
      thread = new Thread(() -> {
        while (running.get()) {
          maxRss.accumulateAndGet(rssBytes(pid), Math::max);
          try {
            if (jobId != null || findJob()) {
              sampleSource();
              sampleCheckpoints();
            }
          } catch (IOException | InterruptedException | RuntimeException e) {
            // the job may not be up yet, or already gone
          }
          try {
            Thread.sleep(1_000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-sampler");
      thread.setDaemon(true);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? json.readTree(r.body()) : null;
    }

    private boolean findJob() throws IOException, InterruptedException {
      JsonNode jobs = get("/jobs");
      if (jobs == null || jobs.path("jobs").isEmpty()) {
        return false;
      }
      String id = jobs.path("jobs").get(0).path("id").asText();
      JsonNode job = get("/jobs/" + id);
      if (job == null) {
        return false;
      }
      // an initializing job is listed without its vertices yet: try again at the next sample
      List<String> ids = new ArrayList<>();
      String source = null;
      for (JsonNode v : job.path("vertices")) {
        ids.add(v.path("id").asText());
        if (v.path("name").asText().startsWith("Source:")) {
          source = v.path("id").asText();
        }
      }
      if (source == null) {
        return false;
      }
      vertices.addAll(ids);
      sourceVertex = source;
      jobId = id;
      return true;
    }

    /** Sum over the source vertex's subtasks of the records it sent downstream (valid events). */
    private void sampleSource() throws IOException, InterruptedException {
      JsonNode metrics = get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/subtasks/metrics?get=numRecordsOut");
      if (metrics == null) {
        return;
      }
      for (JsonNode m : metrics) {
        long emitted = m.path("sum").asLong();
        if (emitted > 0 && firstEmitted < 0) {
          firstEmitted = emitted;
          firstEmittedAt = System.currentTimeMillis();
        }
        lastEmitted.accumulateAndGet(emitted, Math::max);
      }
    }

    private void sampleCheckpoints() throws IOException, InterruptedException {
      JsonNode stats = get("/jobs/" + jobId + "/checkpoints");
      if (stats == null) {
        return;
      }
      checkpoints.set(stats.path("counts").path("completed").asLong());
      JsonNode latest = stats.path("latest").path("completed");
      if (latest.isMissingNode() || latest.isNull()) {
        return;
      }
      long d = latest.path("end_to_end_duration").asLong();
      lastCheckpointMs.set(d);
      long size = Math.max(latest.path("state_size").asLong(), latest.path("checkpointed_size").asLong());
      maxStateBytes.accumulateAndGet(size, Math::max);
      if (d > maxCheckpointMs.get() || longestBreakdown == CheckpointBreakdown.NONE) {
        maxCheckpointMs.accumulateAndGet(d, Math::max);
        longestBreakdown = breakdown(latest.path("id").asLong());
      }
    }

    private CheckpointBreakdown breakdown(long checkpointId) throws IOException, InterruptedException {
      long start = 0;
      long align = 0;
      long sync = 0;
      long async = 0;
      for (String v : vertices) {
        JsonNode s = get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId + "/subtasks/" + v);
        if (s == null) {
          continue;
        }
        JsonNode sum = s.path("summary");
        start = Math.max(start, sum.path("start_delay").path("max").asLong());
        align = Math.max(align, sum.path("alignment").path("duration").path("max").asLong());
        sync = Math.max(sync, sum.path("checkpoint_duration").path("sync").path("max").asLong());
        async = Math.max(async, sum.path("checkpoint_duration").path("async").path("max").asLong());
      }
      return new CheckpointBreakdown(start, align, sync, async);
    }

    /**
     * The rate from the first sample that saw records flowing to {@code endMillis}: the records
     * not yet emitted at that sample (as a share of all the source emitted) over the time left.
     * Start-up (JVM, MiniCluster, job graph, Kafka assignment) is excluded, the final flush is not.
     * NaN if the source was never seen emitting (a job too short for the 1 s sampling).
     */
    double sustainedRate(long total, long endMillis) {
      long last = lastEmitted.get();
      if (firstEmitted < 0 || last <= 0 || endMillis <= firstEmittedAt) {
        return Double.NaN;
      }
      double remaining = total * (1.0 - (double) firstEmitted / last);
      return remaining * 1e3 / (endMillis - firstEmittedAt);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.interrupt();
      thread.join(5_000);
    }
  }

  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** Runs the job live under paced traffic and measures probe events from send to visible. */
  double[] freshness(TidemarkConfig cfg, double rate) throws Exception {
    Process job = startJob(cfg, freePort(), false, Files.createTempDirectory(scratch, "freshness-").resolve("job.log"), null);
    try {
      return probeFreshness(cfg, rate);
    } finally {
      job.destroyForcibly().waitFor();
    }
  }

  private double[] probeFreshness(TidemarkConfig cfg, double rate) throws Exception {
    Thread.sleep(8_000);
    Thread load = new Thread(() -> TrafficGenerator.builder().config(cfg)
        .spec(GeneratorSpec.builder().rate(rate).duration(Duration.ofSeconds(freshnessSeconds)).users(users).pages(1_000)
            .seed(9).startTime(Instant.now()).outOfOrderMs(1_000).duplicateFraction(0.02).invalidFraction(0.01).build())
        .build().run(null), "bench-load");
    load.start();
    Thread.sleep(3_000);
    Map<String, Long> sent = new ConcurrentHashMap<>();
    Map<String, Long> seen = new ConcurrentHashMap<>();
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("linger.ms", "0");
    String table = cfg.get(ClickHouseOptions.DATABASE) + ".user_page_counts_store";
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        ClickHouseSql sql = ClickHouseClients.connect(cfg)) {
      long end = System.currentTimeMillis() + (freshnessSeconds - 6) * 1000L;
      int n = 0;
      while (System.currentTimeMillis() < end) {
        String user = "probe-" + n++;
        long now = System.currentTimeMillis();
        PageViewEvent e = new PageViewEvent("probe-event-" + n + "-" + now, user, "/probe", now);
        producer.send(new ProducerRecord<>(cfg.get(KafkaOptions.EVENTS_TOPIC), user.getBytes(StandardCharsets.UTF_8), PageViewJson.toBytes(e)));
        producer.flush();
        sent.put(user, now);
        long deadline = now + 10_000;
        while (System.currentTimeMillis() < deadline) {
          long c = sql.queryLong("SELECT count() FROM " + table + " WHERE user_id = {u:String}", Map.of("u", user));
          if (c > 0) {
            seen.put(user, System.currentTimeMillis());
            break;
          }
          Thread.sleep(20);
        }
        Thread.sleep(200);
      }
    }
    load.join();
    List<Long> lat = new ArrayList<>();
    sent.forEach((u, t) -> lat.add(seen.containsKey(u) ? seen.get(u) - t : 10_000L));
    lat.sort(Long::compare);
    return new double[] {pct(lat, 0.5), pct(lat, 0.99), lat.isEmpty() ? 0 : lat.get(lat.size() - 1), lat.size()};
  }

  private static double pct(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Replaces (or appends) the {@code <!-- bench:speed -->} section of the report. */
  static void writeSection(Path file, String markdown) throws IOException {
    String begin = "<!-- bench:speed -->";
    String end = "<!-- /bench:speed -->";
    String section = begin + "\n" + markdown + end + "\n";
    String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b >= 0 && e > b) {
      text = text.substring(0, b) + section + text.substring(e + end.length()).replaceFirst("^\n", "");
    } else {
      text = text + (text.endsWith("\n\n") ? "" : "\n") + section;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text);
  }
}
